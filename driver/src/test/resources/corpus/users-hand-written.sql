-- Hand-written statements touching users, run by CorpusOnDatabaseTest in phase DUAL_WRITE.
-- Each case starts with a line "### <expect> <text>":
--   write  <name>               must succeed as a rewritten dual write, parity 0 afterwards
--   pass   <name>               must succeed unchanged (it cannot change users.email), parity 0 afterwards
--   refuse <part of the reason> must fail with SQLState 0A000, the reason containing the text, tables unchanged
-- The SQL runs to the next ### line (this header and blank lines around it are ignored).
### write INSERT without email column (a default could fill it)
INSERT INTO users (id, name) VALUES (60, 'noemail')
### write INSERT … SELECT from users itself
INSERT INTO users (id, name, email) SELECT id + 60, name, email FROM users WHERE id <= 3
### write INSERT quoted alias, ON CONFLICT DO UPDATE … EXCLUDED, RETURNING
insert into "users" as "U" ("id", "email") values (1, 'q@x') on conflict ("id") do update set "email" = excluded."email" returning "U"."id"
### write INSERT many rows with RETURNING *
INSERT INTO users (id, email) VALUES (70, 'seventy@x'), (71, NULL), (72, 'seventy-two@x') RETURNING *
### write INSERT ON CONFLICT DO NOTHING that conflicts
INSERT INTO users (id, email) VALUES (1, 'ignored@x') ON CONFLICT DO NOTHING
### write INSERT ON CONFLICT DO UPDATE setting NULL
INSERT INTO users (id, email) VALUES (2, 'x') ON CONFLICT (id) DO UPDATE SET email = NULL
### write UPDATE with a dollar-quoted value containing ; and '
UPDATE users SET email = $$dollar;'quoted$$ WHERE id = 1
### write UPDATE with a tagged dollar quote
UPDATE users SET email = $tag$a$$b -- not a comment$tag$ WHERE id = 3
### write UPDATE with comments everywhere
/* leading; users */ UPDATE public.users /* mid */ SET email = 'c@x' -- set it
WHERE id = 2 -- tail
### write UPDATE … FROM the target table itself
UPDATE users SET email = e.address FROM email_address e WHERE e.user_id = users.id AND NOT e.is_primary
### write UPDATE with COALESCE over IS NULL rows
UPDATE users SET email = COALESCE(email, 'none@x')
### write UPDATE everything to NULL
UPDATE users SET email = NULL
### write UPDATE with IS NULL predicate
UPDATE users SET email = 'filled@x' WHERE email IS NULL
### write UPDATE with IS NOT NULL predicate and CASE
UPDATE users SET email = CASE WHEN id % 2 = 0 THEN NULL ELSE upper(email) END WHERE email IS NOT NULL
### write UPDATE ONLY
UPDATE ONLY users SET email = 'o@x'
### write UPDATE with a scalar subquery on email_address
UPDATE users u SET email = (SELECT max(address) FROM email_address e WHERE e.user_id = u.id)
### write UPDATE with row assignment
UPDATE users SET (name, email) = (SELECT 'R', 'row@x') WHERE id = 4
### write UPDATE with a row constructor assigning email among other columns
UPDATE users SET (name, email) = ('R', 'row@x') WHERE id = 4
### write UPDATE with ROW(…) reading the old values
UPDATE users SET (email, name) = ROW(upper(email), name || '!') WHERE id IN (1, 2) RETURNING id, name, email
### write UPDATE with a one-column ROW(…) and DEFAULT in a row
UPDATE users SET (email) = ROW(NULL), (name) = ROW(DEFAULT) WHERE id = 3
### write INSERT … SELECT whose unqualified email is the subquery's column
INSERT INTO users (id, name, email) SELECT id + 900, 'from orders', email FROM (SELECT id, note AS email FROM orders) o
### write own WITH reading an unqualified email of another relation before UPDATE … FROM
WITH s AS (SELECT user_id AS uid, min(email) AS email FROM (SELECT user_id, note AS email FROM orders) o GROUP BY user_id) UPDATE users SET email = s.email FROM s WHERE s.uid = users.id
### write UPDATE with ~* (the SQL parser cannot read it; token analysis can)
UPDATE users SET email = lower(email) WHERE email ~* '^EVE'
### write UPDATE with !~
UPDATE users SET email = 'c' WHERE email !~ 'x' AND id = 3
### write UPDATE RETURNING with labels
UPDATE users SET email = 'x@x' WHERE id = 1 RETURNING email AS "e", id, (SELECT 1) AS one
### write DELETE all
DELETE FROM users
### write DELETE ONLY
DELETE FROM ONLY users WHERE id = 1
### write DELETE … USING RETURNING
DELETE FROM users u USING orders o WHERE o.user_id = u.id RETURNING u.*, o.amount
### write DELETE with subquery and IS NULL
DELETE FROM users WHERE email IS NULL OR id IN (SELECT user_id FROM orders WHERE amount > 10)
### write own WITH RECURSIVE before UPDATE
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) UPDATE users SET email = 'r' || id WHERE id IN (SELECT n FROM r)
### write own WITH writing another table before UPDATE
WITH d AS (DELETE FROM orders RETURNING user_id) UPDATE users SET email = NULL WHERE id IN (SELECT user_id FROM d)
### write own WITH before INSERT … SELECT with RETURNING
WITH s(id, m) AS (VALUES (80, 'e80@x'), (81, NULL)) INSERT INTO users (id, email) SELECT id, m FROM s RETURNING id
### write own WITH before DELETE
WITH gone AS MATERIALIZED (SELECT id FROM users WHERE email LIKE '%example%') DELETE FROM users WHERE id IN (SELECT id FROM gone)
### write TRUNCATE with options
TRUNCATE TABLE ONLY users RESTART IDENTITY CASCADE
### write TRUNCATE of several tables
TRUNCATE orders, users
### write several statements in one string
INSERT INTO orders (id, user_id, amount) VALUES (300, 1, 5); UPDATE users SET email = 'x@example.com'; SELECT 1
### write several writes to users in one string
UPDATE users SET email = 'a@x' WHERE id = 1;
-- and then
DELETE FROM users WHERE id = 2;
INSERT INTO users (id, email) VALUES (90, 'n@x');
### pass several statements that only read users
SELECT email FROM users; SELECT count(*) FROM users WHERE email IS NULL
### pass UPDATE of another column
UPDATE users SET name = 'only name' WHERE email IS NULL
### pass SELECT … FOR UPDATE
SELECT id, email FROM users WHERE id = 1 FOR UPDATE
### pass write to another table reading users.email
INSERT INTO orders (id, user_id, note) SELECT id + 500, id, email FROM users
### pass UPDATE of another table from a subquery reading users.email
UPDATE orders o SET note = (SELECT email FROM users u WHERE u.id = o.user_id)
### pass UPDATE of another table … FROM users, RETURNING users.email
UPDATE orders o SET note = upper(u.email) FROM users u WHERE u.id = o.user_id RETURNING o.id, u.email
### pass DELETE from another table … USING users with a predicate on users.email
DELETE FROM orders USING users u WHERE u.id = orders.user_id AND u.email LIKE 'a%'
### pass INSERT into another table with a correlated subquery reading users.email
INSERT INTO orders (id, user_id, note, amount) SELECT u.id + 700, u.id, (SELECT x.email FROM users x WHERE x.id = u.id), 1 FROM users u WHERE u.id IN (SELECT user_id FROM orders)
### pass a subquery whose unqualified email is the outer users row's
SELECT id, (SELECT count(*) FROM orders WHERE note IS DISTINCT FROM email AND user_id = users.id) AS n FROM users ORDER BY id
### pass EXISTS whose unqualified email is the subquery's own column
SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM (SELECT user_id, note AS email FROM orders) o WHERE o.user_id = u.id AND email IS NOT NULL) ORDER BY id
### pass IN over a set operation whose second branch reads the outer email
SELECT id FROM users WHERE email IN (SELECT note FROM orders UNION SELECT email) ORDER BY id
### write UPDATE whose new value's subquery reads the outer row's email
UPDATE users SET email = (SELECT coalesce(max(note), email) FROM orders WHERE user_id = users.id AND note IS DISTINCT FROM email) WHERE id <= 3
### write UPDATE whose new value's subquery reads its own email column
UPDATE users SET email = (SELECT email FROM (SELECT user_id, note AS email FROM orders) o WHERE o.user_id = users.id ORDER BY email LIMIT 1)
### write DELETE whose subquery reads the outer row's email
DELETE FROM users WHERE id IN (SELECT user_id FROM orders WHERE note IS DISTINCT FROM email)
### pass LOCK
LOCK TABLE users IN SHARE MODE
### refuse a write with RETURNING among several statements
UPDATE users SET email = 'a' RETURNING id; SELECT 1
### refuse changes the key id
UPDATE users SET email = 'a' WHERE id = 1; UPDATE users SET id = 9 WHERE id = 2
### refuse changes the key id
INSERT INTO users (id, email) VALUES (1, 'k') ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id + 100
### refuse changes the key id
UPDATE users SET id = id + 100
### refuse UPDATE that sets the key column of the migrated table in a form the driver does not check
UPDATE users SET (id, email) = (id + 100, 'r')
### refuse ON CONFLICT DO UPDATE that sets the key column in a form the driver does not check
INSERT INTO users (id, email) VALUES (1, 'k') ON CONFLICT (id) DO UPDATE SET id = DEFAULT
### write a whole record written back, its key the row's own
UPDATE users SET id = 2, name = 'n', email = 'whole@x' WHERE id = 2
### write an upsert writing the key back
INSERT INTO users (id, email) VALUES (1, 'k') ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id, email = EXCLUDED.email
### write a WITH query that itself writes the migrated table
WITH x AS (UPDATE users SET email = 'x' RETURNING id) SELECT count(*) FROM x
### write a WITH query that deletes users, its rows copied elsewhere
WITH x AS (DELETE FROM users WHERE id = 2 RETURNING *) INSERT INTO orders (id, user_id, amount, note) SELECT 900 + id, NULL, 0, email FROM x
### refuse a WITH query that writes the migrated table in a statement that writes it elsewhere too
WITH x AS (DELETE FROM users WHERE id = 1 RETURNING id) UPDATE users SET email = 'q' WHERE id = 2
### refuse a write with a WITH query named like the migrated table
WITH users AS (SELECT 1 AS id) UPDATE users SET email = NULL
### refuse a MERGE into the migrated table that assigns the key column
MERGE INTO users u USING orders o ON o.user_id = u.id WHEN MATCHED THEN UPDATE SET (id, email) = (u.id + 1000, o.note)
### refuse COPY bypasses SQL
COPY users (id, email) FROM STDIN
### refuse COPY bypasses SQL
copy public.users from '/tmp/users.csv' with (format csv)
### write EXPLAIN ANALYZE runs the dual write
EXPLAIN ANALYZE UPDATE users SET email = NULL
### write EXPLAIN ANALYSE (British spelling) runs the dual write
explain analyse verbose delete from users where id = 2
### write EXPLAIN (options) with ANALYSE on, RETURNING
EXPLAIN (FORMAT JSON, ANALYSE on) INSERT INTO users (id, email) VALUES (61, 'explained@x') RETURNING id
### pass EXPLAIN without ANALYZE runs nothing
EXPLAIN (ANALYZE false, COSTS off) UPDATE users SET email = 'never@x'
### refuse EXPLAIN ANALYZE of a statement that is refused
EXPLAIN ANALYZE UPDATE users SET (id) = ROW(id + 1)
### refuse COPY (… RETURNING …) TO of a write
COPY (UPDATE users SET email = 'copied@x' WHERE id = 1 RETURNING id) TO STDOUT
### refuse COPY (… RETURNING …) TO of a write
COPY (WITH d AS (DELETE FROM users WHERE id = 2 RETURNING id) SELECT * FROM d) TO STDOUT
### pass CREATE TABLE … AS a read
CREATE TEMP TABLE users_copy AS SELECT id, email FROM users WITH DATA
### pass a derived table written as TABLE users
SELECT * FROM (TABLE users) t ORDER BY id
### pass a write to another table whose rows come from TABLE users
INSERT INTO orders (id, user_id, note) SELECT id + 300, id, email FROM (TABLE ONLY users) t
### pass CREATE TABLE … AS TABLE users
CREATE TEMP TABLE users_copy3 AS TABLE users
### pass SELECT … INTO a new table
SELECT id, email INTO TEMP users_copy2 FROM users WHERE email IS NOT NULL
### pass DECLARE … CURSOR over a read
DECLARE users_cursor SCROLL CURSOR FOR SELECT id, email FROM users ORDER BY id
### refuse CREATE TABLE … AS over a write
CREATE TABLE t AS WITH w AS (UPDATE users SET email = 'w@x' RETURNING id) SELECT * FROM w
### refuse DO statement
DO $$ BEGIN UPDATE users SET email = NULL; END $$
### refuse ALTER statement
ALTER TABLE users ADD COLUMN x int
### refuse SQL-level PREPARE of a write
PREPARE p AS UPDATE users SET email = $1
### pass PREPARE of a read
PREPARE r (bigint) AS SELECT email FROM users WHERE id = $1
### refuse CREATE statement
CREATE RULE r AS ON UPDATE TO users DO ALSO NOTIFY users
### refuse TRUNCATE of the migrated table in a form that is not recognised
TRUNCATE users, orders RESTART IDENTITY WHATEVER
### write UPDATE swapping two users' emails through a self-join (each reads the other's value before the statement)
UPDATE users u SET email = o.email FROM users o WHERE (u.id, o.id) IN ((1, 2), (2, 1))
### write UPDATE reading the previous user's email for every row
UPDATE users SET email = (SELECT p.email FROM users p WHERE p.id = users.id - 1)
### write INSERT … ON CONFLICT DO UPDATE reading another row's email
INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, 'b@x') ON CONFLICT (id) DO UPDATE SET email = coalesce((SELECT x.email FROM users x WHERE x.id = users.id - 1), EXCLUDED.email)
