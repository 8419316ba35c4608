UPDATE users SET (name, email) = ('x', 'y@z') WHERE id = 1

UPDATE users SET (email, name) = (SELECT name || '@x', 'n' FROM users u2 WHERE u2.id = users.id) WHERE id < 3

UPDATE users SET email = DEFAULT WHERE id = 1

UPDATE users SET email = (SELECT max(address) FROM email_address WHERE user_id = users.id) WHERE id = 2

UPDATE users AS "U" SET "email" = upper("U"."email") WHERE "U".id = 1 RETURNING "U".*

UPDATE ONLY users SET email = NULL WHERE id = 2 RETURNING email IS NULL

UPDATE users SET email = email || '' WHERE email LIKE '%@example.com' RETURNING id

WITH x AS (SELECT id FROM users WHERE email IS NULL) UPDATE users SET email = 'found@x' FROM x WHERE users.id = x.id

INSERT INTO users SELECT id + 10, name, email FROM users

INSERT INTO users SELECT 300, 'two columns'

INSERT INTO users SELECT DISTINCT ON (id) id + 400, name, lower(email) FROM users ORDER BY id RETURNING *

INSERT INTO users WITH s AS (SELECT 1 AS n) SELECT 410 + n, 'with', 'w@x' FROM s RETURNING email

INSERT INTO users (SELECT 420, 'p', 'p@x') UNION ALL (SELECT 421, 'q', NULL)

INSERT INTO users SELECT id + 440, name, email FROM users WHERE id < 3 ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email

INSERT INTO users SELECT id, 'dup', 'dup@x' FROM users WHERE id = 1 ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING *

INSERT INTO users SELECT * FROM users WHERE false

INSERT INTO users SELECT 430, 'x', 'y', 'too many'

-- params: 450, 'pp@x'
INSERT INTO users SELECT ?, 'param', ?

INSERT INTO users (email, id) SELECT email, id + 100 FROM users WHERE email IS NOT NULL RETURNING *

INSERT INTO users VALUES (20, 'T', DEFAULT), (21, DEFAULT, 'q@q')

INSERT INTO users DEFAULT VALUES

INSERT INTO users (id) VALUES (30) RETURNING email

INSERT INTO users AS u VALUES (1, 'A', 'new@x') ON CONFLICT (id) DO UPDATE SET email = u.email || EXCLUDED.email RETURNING u.email

INSERT INTO users VALUES (1, 'A', 'new@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS DISTINCT FROM EXCLUDED.email

INSERT INTO users VALUES (3, 'A', 'new@x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.email

DELETE FROM users WHERE email = 'ann@example.com' RETURNING *

DELETE FROM users u USING orders o WHERE o.user_id = u.id AND u.email LIKE 'b%' RETURNING u.email, o.user_id

SELECT email FROM users WHERE id = 1 FOR NO KEY UPDATE OF users SKIP LOCKED

SELECT DISTINCT ON (email) email, id FROM users ORDER BY email, id

SELECT id FROM users WHERE (id, email) = (1, 'ann@example.com')

SELECT id FROM users WHERE email IN (SELECT address FROM email_address)

SELECT count(email), count(*), string_agg(email, ',' ORDER BY email) FROM users

SELECT u FROM users u WHERE id = 1

SELECT row_to_json(u) FROM users u ORDER BY id

SELECT to_jsonb(users.*) FROM users ORDER BY id

SELECT users FROM users

SELECT (u).email FROM users u ORDER BY id

SELECT email FROM users NATURAL JOIN (SELECT 1 AS id) x

SELECT * FROM users u, LATERAL (SELECT u.email AS e) l ORDER BY id

SELECT email FROM users TABLESAMPLE SYSTEM (100) ORDER BY 1

TABLE users

SELECT * FROM ONLY users ORDER BY id

SELECT * FROM users * ORDER BY id

SELECT email FROM public.users WHERE id = 1

SELECT "EMAIL" FROM users

SELECT Email FROM Users WHERE ID = 1

select/*c*/email--x
from users where id=1

SELECT email::varchar(3) FROM users ORDER BY id

SELECT email FROM users ORDER BY 1 NULLS FIRST LIMIT 2 OFFSET 1

SELECT id FROM users GROUP BY id HAVING max(email) > 'b'

SELECT email, count(*) FROM users GROUP BY 1 ORDER BY 1

SELECT id, email FROM users WHERE id = 1 UNION SELECT 9, 'x' ORDER BY 1

VALUES ((SELECT email FROM users WHERE id = 1))

SELECT EXISTS (SELECT FROM users WHERE email = 'bob@example.com')

SELECT * FROM (TABLE users) t ORDER BY id

WITH users AS (SELECT 1 AS id, 'cte' AS email) SELECT email FROM users

SELECT email FROM (SELECT 'sub' AS email) users

SELECT o.id, (SELECT email FROM users WHERE users.id = o.user_id) FROM orders o ORDER BY 1

SELECT email FROM users WHERE id = 1; SELECT 1

UPDATE users SET email = 'a@b' WHERE id = 1; UPDATE users SET email = 'c@d' WHERE id = 2

EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE users SET email = 'x' WHERE id = 1

PREPARE p(text) AS UPDATE users SET email = $1 WHERE id = 1; EXECUTE p('z@z')

CREATE TEMP TABLE t AS SELECT * FROM users; SELECT * FROM t ORDER BY id

SELECT * INTO TEMP t2 FROM users; SELECT * FROM t2 ORDER BY id

COPY (SELECT email FROM users ORDER BY id) TO STDOUT

DECLARE c CURSOR FOR SELECT email FROM users ORDER BY id; FETCH ALL FROM c

DECLARE c CURSOR FOR SELECT id FROM users WHERE id = 1 FOR UPDATE; FETCH c; UPDATE users SET email = 'cur@x' WHERE CURRENT OF c

DO $$ BEGIN UPDATE users SET email = 'do@x' WHERE id = 1; END $$

SELECT {fn ucase(email)} FROM users WHERE id = 1

SELECT email FROM users WHERE email ~* '^A' ORDER BY 1

SELECT id FROM users ORDER BY email COLLATE "C" DESC LIMIT 1

SELECT * FROM users WHERE users.email = ANY(ARRAY['ann@example.com'])

SELECT id FROM users WHERE email IS NOT DISTINCT FROM NULL

INSERT INTO orders (id, user_id, note) SELECT 200 + id, id, email FROM users

UPDATE orders SET note = u.email FROM users u WHERE u.id = orders.user_id

DELETE FROM orders WHERE user_id IN (SELECT id FROM users WHERE email IS NULL)

SELECT U&"\0065mail" FROM users WHERE id = 1

UPDATE users SET U&"\0065mail" = 'uni@x' WHERE id = 1

UPDATE users SET U&"!0065mail" UESCAPE '!' = 'uni@x' WHERE id = 1

SELECT E'\'' || email FROM users WHERE id = 1

SELECT $tag$ email $tag$, email FROM users WHERE id = 1

UPDATE users SET email = 'x' WHERE id = 1 /* ; */ RETURNING 1

SELECT email FROM users u1 JOIN users u2 USING (id)

SELECT u1.email, u2.email FROM users u1 JOIN users u2 ON u2.id = u1.id + 1 ORDER BY 1

UPDATE users SET name = email WHERE id = 1 RETURNING name

UPDATE users SET email = name, name = email WHERE id = 1 RETURNING *

SELECT count(*) FILTER (WHERE email IS NULL) FROM users

SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM users v WHERE v.email = u.email AND v.id <> u.id) ORDER BY id

UPDATE users SET id = id + 100 WHERE id = 1

UPDATE users SET id = 200, email = 'k@k' WHERE id = 2

INSERT INTO users VALUES (1, 'A', 'x') ON CONFLICT (id) DO UPDATE SET id = 300

UPDATE users SET id = -id

DELETE FROM users WHERE id = 3

INSERT INTO users (id, name, email) VALUES (1, 'dup', 'x')

SELECT email AS "users.email", users.email FROM users ORDER BY 2

SELECT id FROM users WHERE email = lower(email) ORDER BY id

WITH RECURSIVE r(n, e) AS (SELECT 1, (SELECT email FROM users WHERE id = 1) UNION ALL SELECT n + 1, e FROM r WHERE n < 3) SELECT * FROM r

SELECT email FROM users WHERE id = 1 FOR UPDATE OF users NOWAIT

INSERT INTO users (id, name, email) SELECT 70, 'x', email FROM users WHERE id = 1 ON CONFLICT DO NOTHING

INSERT INTO users (id, name, email) VALUES (1, 'x', 'y') ON CONFLICT DO NOTHING

INSERT INTO users (id, name, email) OVERRIDING USER VALUE VALUES (71, 'x', 'y')

INSERT INTO users (id, name, email) OVERRIDING SYSTEM VALUE VALUES (72, 'x', 'sys@x'), (73, 'y', NULL)

INSERT INTO users OVERRIDING USER VALUE VALUES (74, 'z', 'user@x') RETURNING *

INSERT INTO users (id, name, email) OVERRIDING SYSTEM VALUE SELECT id + 100, name, upper(email) FROM users WHERE id < 3 RETURNING email

INSERT INTO users (id, name, email) OVERRIDING USER VALUE SELECT id + 200, name, email FROM users WHERE id = 2

UPDATE users SET email = 'x' RETURNING count(*) OVER ()

SELECT email FROM users WHERE id = 1 INTERSECT SELECT 'ann@example.com'

SELECT name FROM users WHERE id = 1 AND email::text = 'ann@example.com'

MERGE INTO users u USING (VALUES (1, 'm@x')) v(id, e) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.e

UPDATE users SET email = CASE WHEN id % 2 = 0 THEN NULL ELSE email || '.x' END

SELECT tableoid::regclass, ctid IS NOT NULL, email FROM users WHERE id = 1

SELECT xmin IS NOT NULL, email FROM users WHERE id = 1

UPDATE users SET email = 'ct@x' WHERE ctid = (SELECT ctid FROM users WHERE id = 1)

SELECT email FROM users GROUP BY ROLLUP (email) ORDER BY 1

SELECT email FROM users GROUP BY GROUPING SETS ((email), ()) ORDER BY 1

SELECT email, rank() OVER (ORDER BY email) FROM users ORDER BY 2, 1

SELECT first_value(email) OVER w FROM users WINDOW w AS (ORDER BY id) ORDER BY 1

SELECT public.users.email FROM public.users ORDER BY 1

SELECT (SELECT email) FROM users ORDER BY id

SELECT (SELECT u.email FROM orders o WHERE o.user_id = u.id LIMIT 1) FROM users u ORDER BY id

SELECT id FROM users WHERE email > ALL (SELECT note FROM orders WHERE note IS NOT NULL) ORDER BY id

SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id AND u.email LIKE 'b%') ORDER BY id

SELECT email FROM users ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS WITH TIES

UPDATE users u SET email = o.note FROM orders o WHERE o.user_id = u.id AND o.note IS NOT NULL

UPDATE users SET email = (SELECT email FROM users WHERE id = 2) WHERE id = 1

INSERT INTO users (id, name, email) SELECT 90, 'x', email FROM users WHERE id = 2 RETURNING email

INSERT INTO users (id, name, email) VALUES (91, 'x', (SELECT email FROM users WHERE id = 1))

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y') ON CONFLICT (id) DO UPDATE SET email = users.email || '+' RETURNING *

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email LIKE 'b%' RETURNING email

INSERT INTO users (id, name, email) VALUES (3, 'x', NULL) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING *

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y'), (2, 'z', 'w') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email

DELETE FROM users WHERE email IS NULL RETURNING id, email

DELETE FROM users u WHERE u.email = (SELECT max(email) FROM users)

WITH d AS (DELETE FROM users WHERE id = 1 RETURNING *) SELECT * FROM d

WITH u AS (UPDATE users SET email = 'cte@x' WHERE id = 2 RETURNING *) SELECT email FROM u

WITH i AS (INSERT INTO users VALUES (95, 'n', 'i@x') RETURNING email) SELECT * FROM i

WITH u AS (UPDATE users SET name = 'nn' WHERE id = 1 RETURNING email) SELECT * FROM u

WITH x AS (SELECT email FROM users WHERE id = 1) UPDATE users SET email = (SELECT email FROM x) WHERE id = 2

WITH d AS (DELETE FROM users WHERE id = 3 RETURNING *) INSERT INTO user_archive SELECT * FROM d

WITH d AS (DELETE FROM users WHERE id < 3 RETURNING *) INSERT INTO user_archive (email, id) SELECT upper(email), id FROM d

-- params: 1
WITH d AS (DELETE FROM users u WHERE u.id = ? RETURNING u.*) INSERT INTO user_archive SELECT * FROM d RETURNING email

WITH d AS (DELETE FROM users WHERE email LIKE '%example%' RETURNING id, email) INSERT INTO user_archive (id, email) SELECT * FROM d

WITH a AS (SELECT 2::bigint AS k), u AS (UPDATE users SET email = upper(email) WHERE id = (SELECT k FROM a) RETURNING id, email AS e) SELECT e, id FROM u

-- params: 'p@x', 1
WITH u AS (UPDATE users SET email = ? WHERE id = ? RETURNING users.*) SELECT count(*), max(email) FROM u

-- params: 2, 'n2'
WITH a AS (SELECT ?::bigint AS k), u AS (UPDATE users SET name = 'r' WHERE id = (SELECT k FROM a) RETURNING id, name, email) SELECT * FROM u WHERE name <> ?

WITH i AS (INSERT INTO users (id, name, email) VALUES (96, 'w', 'w@x') RETURNING id) INSERT INTO user_archive (id) SELECT id FROM i

WITH u AS (UPDATE users SET name = 'q' FROM email_address e WHERE e.user_id = users.id AND users.id = 1 RETURNING *) SELECT count(*) FROM u

WITH u AS (UPDATE users SET name = 'z' WHERE id = 2 RETURNING lower(email)) SELECT * FROM u

-- params: 'E%'
with id_cte (id) as materialized (select u1_0.id from users u1_0 where u1_0.name like ? escape ''),update_cte_users (id) as (update users u1_0 set email=lower(u1_0.email) where u1_0.id in (select id.id from id_cte id) returning id) select count(*) from id_cte id

-- params: 'D%'
with id_cte (id) as materialized (select u1_0.id from users u1_0 where u1_0.name like ? escape ''),delete_cte_orders (id) as (delete from orders o where o.user_id in (select id.id from id_cte id) returning o.id),delete_cte_users (id) as (delete from users u1_0 where u1_0.id in (select id.id from id_cte id) returning id) select count(*) from id_cte id

-- params: 'ann%', 'Ann E.'
with id_cte (id) as materialized (select u1_0.id from users u1_0 where u1_0.email like ?),update_cte_users (id) as (update users u1_0 set name=? where u1_0.id in (select id.id from id_cte id) returning id) select count(*) from id_cte id

-- params: 'bob%'
with id_cte (id) as materialized (select u1_0.id from users u1_0 where u1_0.email like ?),delete_cte_orders (id) as (delete from orders o where o.user_id in (select id.id from id_cte id) returning o.id),delete_cte_users (id) as (delete from users u1_0 where u1_0.id in (select id.id from id_cte id) returning id) select count(*) from id_cte id

WITH d AS (UPDATE users SET email = upper(email) WHERE id = 3 RETURNING id) SELECT d.id, (SELECT string_agg(email, ',' ORDER BY id) FROM users WHERE email IS NOT NULL) FROM d

WITH u AS (UPDATE users SET email = lower(email) WHERE id = 1 RETURNING lower(email), pg_catalog.upper(name)::text, coalesce(email, 'none'), (substring(email from 1 for 3)), extract(year from timestamp '2020-01-01')) SELECT * FROM u

WITH u AS (UPDATE users SET email = 'r@x' WHERE id = 2 RETURNING row(id, email), ARRAY(SELECT 1), EXISTS(SELECT 1), nullif(name, 'x'), greatest(id, 2), current_timestamp(0) IS NOT NULL AS now) SELECT * FROM u

WITH u AS (UPDATE users SET email = ' t@x ' WHERE id = 2 RETURNING trim(email), cast(email AS varchar(9))) SELECT * FROM u

WITH u AS (UPDATE users AS x SET email = x.email || '.org' WHERE x.id = 2 RETURNING x.*, x.email::varchar) SELECT * FROM u

WITH d AS (DELETE FROM users WHERE id = 2) SELECT 1

WITH d AS MATERIALIZED (DELETE FROM users WHERE email IS NULL RETURNING id, name AS "Name") SELECT "Name", id FROM d ORDER BY id

WITH d AS (DELETE FROM users WHERE id = 4 RETURNING id), e AS (UPDATE users SET email = 'twice@x' WHERE id = 5 RETURNING id) SELECT * FROM d, e

WITH d AS (DELETE FROM users WHERE id = 4 RETURNING id) SELECT d.id, u.email FROM d, users u WHERE u.id = 1

SELECT id FROM users WHERE email IN ('ann@example.com', NULL)

SELECT id FROM users WHERE email NOT IN ('ann@example.com') ORDER BY id

SELECT id FROM users WHERE email = E'ann\x40example.com'

SELECT id FROM users WHERE email = U&'ann\0040example.com'

SELECT id FROM users WHERE email = 'ann@'
'example.com'

SELECT id FROM users WHERE email COLLATE "C" = 'ann@example.com'

SELECT id FROM users WHERE (email) = ('ann@example.com')

SELECT id FROM users WHERE email = ANY (SELECT 'ann@example.com')

SELECT 1 FROM users HAVING count(email) > 2

SELECT * FROM users u LEFT JOIN email_address e ON e.user_id = u.id AND e.is_primary ORDER BY u.id, e.address

SELECT u.*, e.* FROM users u JOIN email_address e ON e.user_id = u.id ORDER BY 1, e.address

SELECT email FROM users WHERE id = 1 FOR KEY SHARE

SELECT count(DISTINCT email) FROM users

SELECT mode() WITHIN GROUP (ORDER BY email) FROM users

SELECT max(email) FILTER (WHERE id > 2) FROM users

SELECT email FROM users ORDER BY email USING <, id

SELECT ARRAY(SELECT email FROM users ORDER BY id)

SELECT greatest(email, name) FROM users ORDER BY id

SELECT email || name AS x FROM users ORDER BY x

SELECT email FROM users WHERE id = 1; -- done

/* leading */ UPDATE users SET email = 'c@c' WHERE id = 1

-- leading
UPDATE users SET email = 'c@c' WHERE id = 1

UPDATE users SET email = email WHERE id = 3

UPDATE users SET email = NULLIF(email, 'ann@example.com')

UPDATE users SET email = ('{a,b}'::text[])[1] WHERE id = 1

UPDATE users SET email = 'x', email = 'y' WHERE id = 1

INSERT INTO users (id, email, name) VALUES (100, 'o@x', 'order')

INSERT INTO users (name, email, id) SELECT 'a', 'b', 101

INSERT INTO users VALUES (102, 'positional', 'p@x') RETURNING *

INSERT INTO users VALUES (103, 'two cols')

INSERT INTO users VALUES (104)

INSERT INTO users (id, name, email) VALUES (105, 'x', DEFAULT) RETURNING email

INSERT INTO users (id, name, email) SELECT g, 'gen', 'g' || g || '@x' FROM generate_series(110, 112) g RETURNING id, email

INSERT INTO users (id, name, email) SELECT id + 120, name, email FROM users ORDER BY id LIMIT 2

INSERT INTO users (id, name, email) VALUES (1, 'x', 'y') ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'y') ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET email = EXCLUDED.email RETURNING *

TRUNCATE users, orders

DELETE FROM users

SELECT email FROM users WHERE id = 1 UNION ALL SELECT address FROM email_address WHERE false

SELECT * FROM users WHERE id IN (SELECT id FROM (TABLE users) x)

SELECT 1 UNION TABLE users

SELECT * FROM users u JOIN LATERAL (SELECT u.email AS e2) x ON true ORDER BY u.id

SELECT "Email" FROM users

UPDATE users SET email = 'a@m' WHERE id = 1; SELECT email FROM users WHERE id = 1

SAVEPOINT a; UPDATE users SET email = 'sp@x' WHERE id = 1; ROLLBACK TO SAVEPOINT a; SELECT email FROM users WHERE id = 1

SELECT set_config('search_path', 'pg_catalog', true); SELECT email FROM users WHERE id = 1

SELECT ((email)) FROM users ORDER BY id

SELECT id, 'x' AS email FROM users ORDER BY email, id

SELECT id AS email FROM users ORDER BY email

SELECT id, email AS name, name AS email FROM users ORDER BY email

SELECT email AS e, count(*) FROM users GROUP BY e ORDER BY e

SELECT lower(email) AS email, count(*) FROM users GROUP BY email ORDER BY 1

SELECT upper(name) AS email FROM users GROUP BY email, name ORDER BY 1

SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note < email) ORDER BY id

SELECT (SELECT max(email) FROM orders) FROM users

SELECT (SELECT email FROM orders LIMIT 1) FROM users ORDER BY id

SELECT count(*) FROM users GROUP BY email HAVING email IS NOT NULL ORDER BY 1

SELECT email FROM users WHERE id = 1 LIMIT $$1$$::int

SELECT x.email FROM users x(i, n, e)

SELECT users.email FROM users AS "users" ORDER BY 1

UPDATE users SET email/**/=/**/'cm@x' WHERE id/**/=/**/1 RETURNING email

SELECT email FROM users WHERE id = 1 UNION ALL SELECT email FROM users WHERE id = 2 ORDER BY email

SELECT * FROM (SELECT email, id FROM users) s WHERE s.email LIKE '%example%' ORDER BY s.id

SELECT s.* FROM (SELECT * FROM users) s ORDER BY 1

SELECT * FROM (SELECT * FROM users u WHERE u.email IS NOT NULL) s JOIN orders o ON o.user_id = s.id ORDER BY o.id

WITH s AS (SELECT * FROM users) SELECT s.email, s.id FROM s ORDER BY 2

WITH s AS MATERIALIZED (SELECT email AS m FROM users) SELECT m FROM s ORDER BY 1

SELECT id FROM users WHERE email = (VALUES ('bob@example.com'))

SELECT id FROM users WHERE (email, name) IN (SELECT 'bob@example.com', 'Bob')

SELECT id FROM users WHERE ROW(email) = ROW('bob@example.com')

SELECT email IS NULL AS missing, count(*) FROM users GROUP BY 1 ORDER BY 1

SELECT CASE email WHEN 'ann@example.com' THEN 1 ELSE 0 END FROM users ORDER BY id

SELECT id FROM users ORDER BY CASE WHEN email IS NULL THEN 0 ELSE 1 END, id

SELECT email FROM users ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED

UPDATE users SET name = 'n' WHERE email IS NULL RETURNING *

UPDATE users SET name = upper(email) WHERE id < 3 RETURNING name, email

DELETE FROM users WHERE id IN (SELECT id FROM users WHERE email LIKE 'd%') RETURNING email

INSERT INTO users (id, name, email) SELECT 140, name, lower(email) FROM users WHERE id = 5 RETURNING *

INSERT INTO users (id, name) VALUES (141, 'noemail') RETURNING *

INSERT INTO users (id, name, email) VALUES (142, 'a', 'x'), (143, 'b', NULL), (144, 'c', DEFAULT) RETURNING email, id

INSERT INTO users (id, name, email) VALUES (4, 'dup', 'new4@x') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = CASE WHEN users.email IS NULL THEN EXCLUDED.email ELSE users.email END RETURNING *

INSERT INTO users (id, name, email) VALUES (3, 'dup', 'new3@x') ON CONFLICT (id) DO UPDATE SET email = coalesce(users.email, EXCLUDED.email) RETURNING *

-- params: 'bob@example.com'
SELECT id FROM users WHERE email = ?

-- params: 'a', 'bob@example.com'
SELECT id FROM users WHERE email = ? OR email = ? ORDER BY id

-- params: 'EVE@example.com'
SELECT id FROM users WHERE lower(email) = lower(?)

-- params: 'n@x', 'ann@example.com'
UPDATE users SET email = ? WHERE email = ?

-- params: NULL, 'z', 2
UPDATE users SET email = ?, name = ? WHERE id = ? RETURNING *

-- params: 150, 'p', NULL
INSERT INTO users VALUES (?, ?, ?) RETURNING email

-- params: 'a@x', 151, NULL, 152
INSERT INTO users (email, id) VALUES (?, ?), (?, ?)

-- params: 1, 'u@x', '+'
INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email || ? RETURNING email

-- params: 'bob@example.com', 3
DELETE FROM users WHERE email = ? OR id = ? RETURNING id

-- params: 2, 4
SELECT id, email FROM users WHERE id BETWEEN ? AND ? ORDER BY id

-- params: 'ann@example.com', 'dee@example.com'
SELECT id FROM users WHERE email IN (?, ?) ORDER BY id

-- params: 'lit', 1
SELECT ?::text AS email, email FROM users WHERE id = ?

-- params: 1
SELECT email FROM users WHERE id = ? FOR UPDATE

-- params: NULL, 1
UPDATE users SET email = coalesce(?, email) WHERE id = ?

-- params: 'bob@example.com', 0
SELECT id FROM users WHERE email = ? AND id > ? ORDER BY id

-- params: 'o@x', 101
UPDATE users u SET email = ? FROM orders o WHERE o.user_id = u.id AND o.id = ?

-- params: 153, 'copy', 2
INSERT INTO users (id, name, email) SELECT ?, ?, email FROM users WHERE id = ?

-- params: 'x@x', 2
UPDATE users SET email = ? WHERE id = ? AND email IS NOT NULL RETURNING email, name

-- params: 4
SELECT * FROM users WHERE id >= ? ORDER BY id

-- params: 'c', 5
SELECT u.*, ? AS tag FROM users u WHERE u.id = ?

SELECT u.id, email, o.amount FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

SELECT email, note FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE email IS NOT NULL ORDER BY 1, 2

SELECT count(*), max(email) FROM users u JOIN orders o ON o.user_id = u.id WHERE email LIKE '%example%'

SELECT email, address FROM users u JOIN email_address e ON e.user_id = u.id AND NOT e.is_primary ORDER BY 1

SELECT email FROM users u, user_archive a WHERE a.id = u.id

SELECT email FROM users u, (SELECT note AS email FROM orders) x

SELECT email, x.n FROM users u, (SELECT 1 AS n, 'e' AS mail) x ORDER BY 1

SELECT email FROM users NATURAL JOIN (VALUES (1, 'v')) AS v(id, tag)

SELECT u.id, email FROM users u JOIN orders o USING (id) ORDER BY 1

SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id WHERE email = 'bob@example.com' ORDER BY o.id

-- params: 'bob@example.com'
SELECT o.id, email FROM orders o JOIN users u ON u.id = o.user_id WHERE email = ? ORDER BY o.id

SELECT email FROM users u CROSS JOIN LATERAL (SELECT o.note FROM orders o WHERE o.user_id = u.id LIMIT 1) l ORDER BY 1

SELECT email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = 101 FOR UPDATE OF u

SELECT u.id FROM users u, orders o WHERE o.user_id = u.id AND EXISTS (SELECT 1 FROM email_address e WHERE e.address = email) ORDER BY 1

SELECT u.id, (SELECT count(*) FROM orders x WHERE x.note < email) FROM users u JOIN orders o ON o.user_id = u.id ORDER BY 1, 2

SELECT json_agg(u ORDER BY id) FROM users u

SELECT (u.*).email, (u).name FROM users u ORDER BY id

SELECT u::text, CAST(u AS text), format('%s', u) FROM users u ORDER BY id

SELECT count(u), count(*) FILTER (WHERE u IS NOT NULL) FROM users u

SELECT jsonb_build_object('user', u, 'orders', (SELECT json_agg(o ORDER BY o.id) FROM orders o WHERE o.user_id = u.id)) FROM users u ORDER BY u.id

SELECT row_to_json(u, true) FROM users u WHERE u.email LIKE 'b%'

DELETE FROM users WHERE id = 1 RETURNING row_to_json(users)

UPDATE users SET email = 'rj@x' WHERE id = 2 RETURNING to_jsonb(users), (users).email

SELECT u FROM users u WHERE id = 2

SELECT array_agg(u ORDER BY id)::text FROM users u

SELECT count(*) FROM users NATURAL JOIN orders

SELECT email, tag FROM users NATURAL JOIN (SELECT 2::bigint AS id, 'x' AS tag) t

-- params: 'bob@example.com'
SELECT u.*, o.* FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.email = ? ORDER BY o.id

-- params: 'bob@example.com'
SELECT count(*) FROM users WHERE email = ?

SELECT id FROM users WHERE email IS NULL OR email = '' ORDER BY id

SELECT DISTINCT email FROM users u JOIN orders o ON o.user_id = u.id ORDER BY 1

SELECT email, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY email ORDER BY 2 DESC, 1

-- params: '%EXAMPLE%', 2, 1
SELECT email FROM users WHERE lower(email) LIKE lower(?) ORDER BY email LIMIT ? OFFSET ?

SELECT * FROM users u WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id) AND email IS NOT NULL ORDER BY id

SELECT u.id, CASE WHEN email LIKE '%@example.com' THEN 'internal' ELSE 'external' END AS kind FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

SELECT string_agg(email, ';' ORDER BY email) FROM users u JOIN orders o ON o.user_id = u.id WHERE o.amount > 1

WITH recent AS (SELECT user_id FROM orders WHERE amount > 5) SELECT email FROM users JOIN recent ON recent.user_id = users.id ORDER BY 1

WITH recent (uid) AS (SELECT user_id FROM orders) SELECT DISTINCT email, uid FROM recent, users WHERE users.id = recent.uid ORDER BY 1

WITH u2 AS (SELECT id, email AS mail FROM users) SELECT email, mail FROM users JOIN u2 USING (id) ORDER BY id

SELECT coalesce(email, '') AS email FROM users u, orders o WHERE o.user_id = u.id AND o.id = 100

UPDATE orders SET note = email FROM users WHERE users.id = orders.user_id AND orders.id = 102 RETURNING orders.note, email

DELETE FROM orders USING users u WHERE u.id = orders.user_id AND email LIKE 'ann%' RETURNING orders.id, email

UPDATE user_archive SET name = email FROM users u WHERE u.id = user_archive.id

SELECT row_to_json(u), email FROM users u WHERE id BETWEEN 2 AND 4 ORDER BY id

-- params: 3
SELECT json_agg(u ORDER BY u.id) FROM users u WHERE u.id >= ?

-- everyday hand-written and ORM reads and writes
SELECT u.id, u.email FROM users u WHERE lower(u.email) = lower('Bob@Example.com')

SELECT id FROM users WHERE email ILIKE '%EXAMPLE%' ORDER BY id

SELECT email FROM users WHERE id IN (1, 2, 3) ORDER BY email NULLS FIRST

SELECT count(DISTINCT email), count(email), count(*) FROM users

SELECT string_agg(email, ',' ORDER BY email) FROM users

SELECT coalesce(email, 'none') AS e FROM users ORDER BY id

SELECT id, row_number() OVER (PARTITION BY email IS NULL ORDER BY email) FROM users ORDER BY id

SELECT DISTINCT ON (email) id, email FROM users ORDER BY email, id

SELECT email, count(*) FROM users GROUP BY email HAVING count(*) >= 1 ORDER BY email

SELECT u.* FROM users u ORDER BY u.id LIMIT 2 OFFSET 1

SELECT * FROM users ORDER BY id FETCH FIRST 2 ROWS ONLY

SELECT id, email FROM users WHERE email IS NOT NULL ORDER BY id FOR UPDATE SKIP LOCKED

SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND u.email LIKE '%@%')

SELECT email FROM users UNION SELECT note FROM orders ORDER BY 1

SELECT email FROM users EXCEPT SELECT email FROM user_archive ORDER BY 1

SELECT u.email, sum(o.amount) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.email ORDER BY 1

SELECT u.email, o.* FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

SELECT * FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

SELECT * FROM users JOIN orders ON orders.user_id = users.id ORDER BY orders.id

SELECT * FROM users u LEFT JOIN LATERAL (SELECT amount FROM orders o WHERE o.user_id = u.id ORDER BY amount DESC LIMIT 1) x ON true ORDER BY u.id

SELECT u.id, CASE WHEN u.email LIKE '%@example.com' THEN 'internal' ELSE 'external' END FROM users u ORDER BY 1

SELECT split_part(email, '@', 2) AS domain, count(*) FROM users GROUP BY 1 ORDER BY 1

SELECT id FROM users WHERE email = ANY (ARRAY['bob@example.com', 'x@y'])

-- params: 'bob@example.com'
SELECT id, name FROM users WHERE email = ?

-- params: 2
SELECT email FROM users WHERE id = ? FOR UPDATE

-- params: 'new@example.com', 2
UPDATE users SET email = ?, name = name WHERE id = ?

-- params: 900, 'n', 'n@x'
INSERT INTO users (id, name, email) VALUES (?, ?, ?) RETURNING id

-- params: 900
DELETE FROM users WHERE id = ?

SELECT jsonb_agg(jsonb_build_object('id', id, 'email', email) ORDER BY id) FROM users

SELECT id, email FROM users WHERE (id, email) IN (SELECT user_id, address FROM email_address) ORDER BY id

SELECT id FROM users WHERE email IS DISTINCT FROM 'bob@example.com' ORDER BY id

SELECT max(email), min(email) FROM users

SELECT id FROM users WHERE email SIMILAR TO '%(example)%' ORDER BY id

SELECT id, length(email) FROM users ORDER BY length(email) DESC NULLS LAST, id

SELECT email AS "EMAIL", id AS "Id" FROM users ORDER BY "Id"

SELECT users.email FROM public.users ORDER BY users.id

SELECT x.email FROM (SELECT * FROM users WHERE id < 3) x ORDER BY x.id

WITH recent AS (SELECT * FROM users ORDER BY id DESC LIMIT 2) SELECT email FROM recent ORDER BY id

SELECT id FROM users WHERE email IN (SELECT email FROM user_archive)

SELECT u1.id, u2.id FROM users u1 JOIN users u2 ON u1.email = u2.email AND u1.id < u2.id

UPDATE users SET email = replace(email, 'example.com', 'example.org') WHERE email LIKE '%example.com' RETURNING id, email

UPDATE users u SET email = o.note FROM orders o WHERE o.user_id = u.id AND o.id = 100 RETURNING u.email

DELETE FROM users WHERE email IS NULL RETURNING *

INSERT INTO users VALUES (950, 'v', 'v@x'), (951, 'w', NULL) RETURNING *

INSERT INTO users (id, name) VALUES (952, 'noemail') RETURNING email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'conflict@x') ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'conflict@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS DISTINCT FROM EXCLUDED.email

UPDATE users SET email = NULLIF(email, '') WHERE id = 1

SELECT id FROM users WHERE email ~ '^b' ORDER BY id

SELECT email::varchar(5) FROM users ORDER BY id

SELECT id FROM users ORDER BY email COLLATE "C", id

SELECT count(*) FILTER (WHERE email IS NULL) FROM users

SELECT id, lag(email) OVER (ORDER BY id) FROM users ORDER BY id

SELECT (SELECT email FROM users WHERE id = 1) = (SELECT email FROM users WHERE id = 2)

SELECT id FROM users WHERE email LIKE ALL (ARRAY['%@%', '%.%']) ORDER BY id

SELECT u.id FROM users u WHERE u.email NOT IN (SELECT address FROM email_address WHERE NOT is_primary) ORDER BY 1

VALUES ((SELECT email FROM users WHERE id = 1))

SELECT * FROM (VALUES (1), (2)) v(i) JOIN users u ON u.id = v.i ORDER BY v.i

SELECT email FROM users WHERE id = 1 UNION ALL SELECT 'literal' ORDER BY 1

SELECT id FROM users GROUP BY id, email HAVING email IS NOT NULL ORDER BY id

SELECT email, array_agg(id ORDER BY id) FROM users GROUP BY email ORDER BY email

SELECT id FROM users WHERE position('@' in email) > 0 ORDER BY id

SELECT * FROM users WHERE email LIKE 'b%' FOR SHARE

SELECT id, email FROM users WHERE id BETWEEN 1 AND 3 ORDER BY id DESC

SELECT count(public.users.*), count(users) FILTER (WHERE users IS NOT NULL) FROM users

SELECT * FROM users JOIN orders USING (id) ORDER BY id

SELECT * FROM users u LEFT JOIN orders o USING (id) WHERE u.email LIKE '%@%' ORDER BY email, id

SELECT * FROM users u NATURAL JOIN orders o ORDER BY id FOR UPDATE OF u

SELECT * FROM users a JOIN users b USING (id, name) ORDER BY id

SELECT *, email FROM ONLY public.users JOIN orders USING (id) WHERE users.email IS NOT NULL ORDER BY id

SELECT * FROM users u JOIN user_archive a USING (id) ORDER BY id

-- params: 2
SELECT * FROM users u JOIN orders o USING (id) WHERE id <= ? ORDER BY id

-- params: 'bob@example.com'
SELECT * FROM users u JOIN orders o USING (id) WHERE u.email = ? ORDER BY id

SELECT *, * FROM users u NATURAL JOIN orders o WHERE email LIKE '%@%' AND row_to_json(u) IS NOT NULL ORDER BY id

SELECT u.id, g, email FROM users u, generate_series(1, 2) g WHERE email LIKE '%@%' ORDER BY 1, 2

SELECT email, o.id FROM users u CROSS JOIN (SELECT * FROM orders) o WHERE o.user_id = u.id ORDER BY o.id

SELECT email FROM users u JOIN user_archive a ON a.id = u.id

SELECT count(*) FROM users NATURAL JOIN user_archive

SELECT u.id, a.name FROM users u NATURAL LEFT JOIN user_archive a ORDER BY u.id

SELECT 1 FROM users NATURAL JOIN users u2

SELECT u.id, u.name, email, count(g) FROM users u, generate_series(1, 2) g GROUP BY u.id ORDER BY u.id

SELECT *, count(o.amount) FROM users u LEFT JOIN orders o USING (id) GROUP BY u.id, o.id ORDER BY u.id

SELECT *, u.xmin IS NOT NULL FROM users u JOIN orders o USING (id) ORDER BY id

SELECT o.id, row_to_json(u), u IS NULL, u.* IS NULL FROM orders o LEFT JOIN users u ON u.id = o.id ORDER BY o.id

SELECT count(u.*), count(u) FROM orders o LEFT JOIN users u ON u.id = o.id

UPDATE orders o SET note = o.note FROM users u NATURAL JOIN user_archive a WHERE o.user_id = u.id

TABLE users ORDER BY email DESC NULLS LAST, id LIMIT 3

WITH x AS (SELECT 1) TABLE ONLY users ORDER BY id

TABLE user_archive UNION ALL TABLE users ORDER BY 1, 3

SELECT u.email, t.name FROM (TABLE users) t JOIN users u USING (id) WHERE t.email IS NOT NULL ORDER BY 1, 2

INSERT INTO user_archive TABLE users

SELECT count(*), count(DISTINCT email) FROM user_archive

SET LOCAL statement_timeout = 5000; UPDATE users SET email = 'timeout@x' WHERE id = 3

SET CONSTRAINTS ALL DEFERRED; INSERT INTO users (id, name, email) VALUES (520, 'deferred', 'deferred@x')

SAVEPOINT s1; UPDATE users SET email = 'kept@x' WHERE id = 2; RELEASE SAVEPOINT s1; SELECT email FROM users WHERE id = 2

SAVEPOINT s2; DELETE FROM users WHERE id = 520; ROLLBACK TO s2; SELECT id, email FROM users WHERE id = 520

SET LOCAL search_path = pg_catalog, public; SELECT email FROM users WHERE id = 3

SELECT email::text, email::varchar, CAST(email AS varchar(4)), (email)::name FROM users ORDER BY id

SELECT email COLLATE "C", (email COLLATE "C") AS c2, email::text COLLATE "C" FROM users ORDER BY id

SELECT CAST(email AS char(4)), email::"char", email::text::varchar(6)::text FROM users ORDER BY id

SELECT users . email, u2 . "email" FROM users, users u2 WHERE u2.id = users.id ORDER BY users.id

SELECT u/**/./**/email FROM users u ORDER BY u.id

SELECT email email, email AS "Email", email e FROM users ORDER BY id

SELECT email, email FROM users ORDER BY email, id

SELECT email IS DISTINCT FROM 'bob@example.com', email LIKE 'a%', email ILIKE 'E%', email SIMILAR TO '%b%', email ~ 'x', email ~~* '%EXAMPLE%' FROM users ORDER BY id

SELECT id FROM users WHERE email BETWEEN SYMMETRIC 'e' AND 'a' ORDER BY id

SELECT id FROM users WHERE email NOT BETWEEN 'b' AND 'd' ORDER BY id

SELECT id FROM users WHERE email LIKE ANY (ARRAY['a%', 'd%']) ORDER BY id

SELECT id FROM users WHERE email <> ALL (ARRAY['ann@example.com', 'bob@example.com']) ORDER BY id

SELECT id, (id, email) > (1, 'b'), ROW(id, email) IS NULL, (email, id) IS DISTINCT FROM (NULL, 3) FROM users ORDER BY id

SELECT id FROM users WHERE (email, id) IN (('bob@example.com', 2), ('dee@example.com', 4)) ORDER BY id

SELECT id FROM users WHERE NOT (email = 'bob@example.com') ORDER BY id

SELECT id FROM users WHERE email = 'bob@example.com' OR email IS NULL ORDER BY id

SELECT overlay(email placing 'X' from 1 for 1), substring(email from '^[a-z]+'), trim(both 'a' from email), left(email, 3), email || NULL, concat(email, '!'), concat_ws('-', name, email) FROM users ORDER BY id

SELECT coalesce(email, name), nullif(email, 'bob@example.com'), greatest(email, 'c'), least(email, 'c') FROM users ORDER BY id

SELECT CASE WHEN email IS NULL THEN 'none' WHEN email LIKE 'a%' THEN 'a' ELSE email END AS k FROM users ORDER BY k

SELECT pg_typeof(email), collation for (email), octet_length(email) FROM users ORDER BY id

SELECT id FROM users WHERE email = 'ann@example.com' AND email = 'bob@example.com'

SELECT id FROM users WHERE email = 'bob@example.com' AND id >= 1 AND id <= 3

SELECT string_agg(DISTINCT email, ',' ORDER BY email), array_agg(email ORDER BY email DESC NULLS LAST)::text FROM users

SELECT json_object_agg(id, email ORDER BY id)::text, jsonb_agg(email ORDER BY id) FROM users

SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY email), rank('bob@example.com') WITHIN GROUP (ORDER BY email) FROM users

SELECT count(*) FILTER (WHERE email LIKE '%example%'), bool_and(email IS NOT NULL), every(email LIKE '%@%'), max(email) FILTER (WHERE email < 'c') FROM users

SELECT email, GROUPING(email), count(*) FROM users GROUP BY ROLLUP (email) ORDER BY 1 NULLS LAST, 2

SELECT email, name, count(*) FROM users GROUP BY CUBE (email, name) ORDER BY 1, 2, 3

SELECT lower(email), count(*) FROM users GROUP BY lower(email) HAVING count(*) > 0 ORDER BY 1

SELECT u.email FROM users u GROUP BY email ORDER BY 1

SELECT email FROM users GROUP BY users.email ORDER BY users.email

SELECT id, email FROM users GROUP BY id ORDER BY id

SELECT id, email FROM users WHERE id >= 1 GROUP BY id ORDER BY id

SELECT count(*) FROM users GROUP BY id HAVING email IS NULL

SELECT id, name, email FROM users WHERE id BETWEEN 2 AND 4 GROUP BY id ORDER BY 1

SELECT id, count(*) OVER (PARTITION BY email) FROM users ORDER BY id

SELECT id, lag(email) OVER w, lead(email, 1, 'none') OVER w FROM users WINDOW w AS (ORDER BY email NULLS FIRST, id) ORDER BY id

SELECT email, ntile(2) OVER (ORDER BY email DESC NULLS LAST) FROM users ORDER BY 2, 1

SELECT id AS email, row_number() OVER (ORDER BY email) FROM users ORDER BY 2

SELECT id, first_value(email) OVER (PARTITION BY email IS NULL ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM users ORDER BY id

SELECT name AS email FROM users ORDER BY email || '', id

SELECT name AS email, id FROM users ORDER BY email DESC

SELECT DISTINCT ON (email) name AS email, id FROM users ORDER BY email, id

SELECT DISTINCT ON (u.email) u.id FROM users u ORDER BY u.email, u.id

SELECT DISTINCT u.email FROM users u ORDER BY u.email

SELECT DISTINCT lower(u.email) FROM users u ORDER BY lower(u.email)

SELECT name AS email FROM users UNION SELECT 'zz' ORDER BY email

SELECT email FROM users ORDER BY email DESC NULLS FIRST, id LIMIT 3 OFFSET 1

SELECT email FROM users ORDER BY 1 DESC NULLS LAST OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY

SELECT id, email AS x FROM users ORDER BY x NULLS FIRST, id

SELECT email FROM users UNION SELECT email FROM user_archive ORDER BY 1

SELECT 'x' AS a UNION ALL SELECT email FROM users ORDER BY 1 NULLS FIRST

SELECT email FROM users INTERSECT SELECT address FROM email_address ORDER BY 1

SELECT email FROM users EXCEPT ALL SELECT 'bob@example.com' ORDER BY 1

(SELECT email FROM users ORDER BY email LIMIT 2) UNION ALL (SELECT name FROM users ORDER BY name LIMIT 1) ORDER BY 1

SELECT NULL UNION SELECT email FROM users ORDER BY 1

SELECT id FROM users WHERE EXISTS (SELECT 1 FROM unnest(ARRAY['ann@example.com']) email WHERE email = 'ann@example.com') ORDER BY id

SELECT id FROM users WHERE EXISTS (SELECT 1 FROM unnest(ARRAY['zzz']) AS t(email) WHERE t.email <> email) ORDER BY id

SELECT id FROM users WHERE EXISTS (SELECT 1 FROM (VALUES ('zzz')) v(email) WHERE v.email <> email) ORDER BY id

SELECT id FROM users WHERE EXISTS (SELECT 1 FROM (SELECT 'zzz' AS email) v WHERE email = 'zzz') ORDER BY id

SELECT id, (SELECT email FROM (SELECT 'inner' AS email) s) FROM users ORDER BY id

SELECT email FROM users, generate_series(1, 1) AS email

SELECT u.id, (SELECT u.email FROM user_archive u) FROM users u ORDER BY 1

SELECT (SELECT u.email FROM orders u LIMIT 1) FROM users u

SELECT users.email, u.id FROM users u JOIN (SELECT 1::bigint AS id, 'fake' AS email) users ON users.id = u.id

SELECT * FROM (SELECT id, name AS email FROM users) s WHERE email = 'Bob'

SELECT s.email FROM (SELECT u.id, upper(u.email) AS email FROM users u) s WHERE s.email LIKE 'B%'

WITH x AS (SELECT name AS email FROM users) SELECT email FROM x ORDER BY 1

WITH email_address AS (SELECT 1::bigint AS user_id, 'fake' AS address, true AS is_primary) SELECT email FROM users ORDER BY id

WITH email_address AS (SELECT 1) SELECT id, email FROM users WHERE id >= 2 ORDER BY id

SELECT email FROM users AS email_address ORDER BY id

SELECT e.email, email FROM users e ORDER BY e.id

SELECT email.email, email FROM users email ORDER BY 1

SELECT e FROM users x(i, n, e) ORDER BY i

SELECT * FROM users AS x(a, b) ORDER BY a

SELECT j.email, j.amount FROM (users u JOIN orders o ON o.user_id = u.id) AS j ORDER BY j.amount

SELECT j.* FROM (users JOIN orders ON orders.user_id = users.id) j ORDER BY 4

SELECT email FROM (users u JOIN orders o ON o.user_id = u.id) j ORDER BY 1

SELECT * FROM users u JOIN (SELECT 'ann@example.com'::text AS email, 7 AS k) x USING (email)

SELECT * FROM users NATURAL JOIN (SELECT 1::bigint AS id, 'ann@example.com'::text AS email) x

SELECT email, k FROM users FULL JOIN (SELECT 'zz@x'::text AS email, 1 AS k) x USING (email) ORDER BY 1

SELECT * FROM users LEFT JOIN user_archive USING (email) ORDER BY users.id

SELECT x.email FROM users JOIN (SELECT 'bob@example.com'::text AS email) s USING (email) AS x

SELECT u.id, email FROM (SELECT 'bob@example.com'::text AS email) s RIGHT JOIN users u USING (email) ORDER BY u.id

SELECT count(*), count(email) FROM users u1 JOIN users u2 USING (email)

SELECT u.id, x.email FROM users u JOIN (SELECT id, email FROM users) x USING (id, email) ORDER BY 1

SELECT o.id, email FROM orders o JOIN (users u JOIN (SELECT 'ann@example.com'::text AS email) s USING (email)) ON o.user_id = u.id ORDER BY o.id

SELECT (SELECT count(*) FROM users u2 JOIN (SELECT 'ann@example.com'::text AS email) s USING (email)) FROM users ORDER BY id LIMIT 2

UPDATE users SET name = 'using' WHERE id IN (SELECT u.id FROM users u JOIN (SELECT 'bob@example.com'::text AS email) s USING (email))

DELETE FROM orders WHERE user_id IN (SELECT u.id FROM users u JOIN (SELECT 'dee@example.com'::text AS email) s USING (email)) RETURNING id, user_id

SELECT u1.id, u2.id FROM users u1 LEFT JOIN users u2 ON u1.email = u2.email ORDER BY 1, 2

SELECT u1.id, u2.id FROM users u1 FULL JOIN users u2 ON u1.email = upper(u2.email) ORDER BY 1, 2

SELECT email FROM users RIGHT JOIN orders ON orders.user_id = users.id ORDER BY orders.id

SELECT (u).* FROM users u ORDER BY id

SELECT (u.*).* FROM users u ORDER BY 1

SELECT ROW(u.*) FROM users u ORDER BY id

SELECT concat(u.*) FROM users u ORDER BY id

SELECT json_build_object('email', email, 'id', id) FROM users ORDER BY id

SELECT row_to_json(x) FROM (SELECT email FROM users) x ORDER BY 1

SELECT row_to_json(x) FROM (SELECT email::text, lower(email), u.email AS m FROM users u) x ORDER BY 1

SELECT to_jsonb(x) FROM (SELECT email FROM users WHERE id >= 2) x ORDER BY 1

SELECT x FROM (SELECT id, email FROM users) x ORDER BY 1

WITH c AS (SELECT email FROM users) SELECT c FROM c ORDER BY 1

SELECT to_jsonb(u) - 'name' FROM users u ORDER BY id

SELECT u = u, u IS NOT NULL FROM users u ORDER BY id

SELECT * FROM jsonb_populate_record(NULL::users, '{"id": 1, "email": "j@x"}')

SELECT (NULL::users).*

SELECT id, email FROM users WHERE id BETWEEN 1 AND 3 FOR UPDATE

SELECT email FROM users WHERE id >= 2 ORDER BY id FOR SHARE

SELECT ctid IS NOT NULL, email FROM users WHERE id >= 4

SELECT tableoid::regclass, email FROM users WHERE id > 3 ORDER BY id

SELECT email FROM users u WHERE u.id = 1 FOR SHARE OF u NOWAIT

SELECT email::int FROM users

SELECT CASE WHEN email IS NULL THEN 1/0 ELSE 1 END FROM users

SELECT * FROM users WHERE false

SELECT collation for (name), email FROM users ORDER BY id

SELECT id FROM users WHERE collation for (name) IS NOT NULL AND email = 'bob@example.com'

SELECT email, collation for (email) FROM users ORDER BY id

SELECT pg_collation_for(email), email FROM users ORDER BY id

SELECT CASE WHEN id > 4 THEN 'x' ELSE CASE WHEN id = 1 THEN name ELSE email END END FROM users ORDER BY id

SELECT CASE WHEN (CASE WHEN id = 1 THEN true END) THEN name ELSE email END FROM users ORDER BY id

SELECT CASE WHEN id = 2 THEN name ELSE email::text END FROM users ORDER BY id

SELECT email::text OPERATOR(pg_catalog.||) name FROM users ORDER BY id

SELECT (CASE WHEN id = 2 THEN name ELSE email END)::varchar FROM users ORDER BY id

SELECT CASE WHEN id = 1 THEN 'zzz' ELSE email END FROM users ORDER BY email NULLS FIRST

SELECT name AS email FROM users ORDER BY (email), name

SELECT DISTINCT ON ((email)) name AS email, id FROM users ORDER BY email, id

SELECT count(*) FROM (SELECT DISTINCT ON (ascii(email)) name AS email FROM users) s

SELECT name AS email FROM users ORDER BY md5(coalesce(NULL, email))

SELECT name AS email, id FROM users ORDER BY row_number() OVER (ORDER BY email DESC NULLS LAST)

SELECT DISTINCT ON (length(email)) length(email) AS n, name AS email FROM users ORDER BY length(email), name

SELECT xmin IS NOT NULL, email FROM users WHERE id >= 4

SELECT u.ctid IS NOT NULL, u.email FROM users u WHERE u.id >= 4

SELECT email FROM users WHERE id BETWEEN 1 AND 3 AND ctid IS NOT NULL ORDER BY id

SELECT id, email FROM users WHERE id BETWEEN SYMMETRIC 4 AND 2 ORDER BY id

SELECT id, email FROM users WHERE 3 >= id ORDER BY id

SELECT id, email, count(*) OVER (PARTITION BY email IS NULL) FROM users WHERE id > 1 ORDER BY id

SELECT email FROM users u TABLESAMPLE SYSTEM (100), generate_series(1, 1) g ORDER BY 1

SELECT email FROM ONLY users u, generate_series(1, 1) g ORDER BY 1

SELECT u.id, email FROM users u CROSS JOIN ROWS FROM (generate_series(1, 1)) AS g(n) ORDER BY 1

SELECT id, email FROM users CROSS JOIN ROWS FROM (unnest(ARRAY['zzz'])) AS x(email)

SELECT email, g FROM users u RIGHT JOIN generate_series(1, 2) g ON g = u.id ORDER BY g

SELECT row_to_json(u), email FROM users u, generate_series(1, 1) g ORDER BY 1

SELECT pg_typeof(u) FROM users u WHERE id = 1

SELECT count(DISTINCT u) FROM users u

SELECT format('%s', u) FROM users u ORDER BY id

SELECT to_json(ARRAY[u]) FROM users u WHERE id = 2

SELECT hashtext(u::text) = hashtext(u::text) FROM users u WHERE id = 3

SELECT /* a /* b */ email, */ id FROM users ORDER BY id

SELECT /* a /* b */ id, */ email FROM users ORDER BY 1

SELECT "users"."email", public."users"."email" FROM public.users ORDER BY 1

SELECT email
  FROM users -- email
 WHERE id = 2

SELECT $$email$$, email FROM users WHERE id = 2

WITH c AS (SELECT CASE WHEN id > 4 THEN 'x' ELSE CASE WHEN id = 1 THEN name ELSE email END END FROM users) SELECT email FROM c ORDER BY 1

SELECT * FROM (SELECT id, CASE WHEN id = 9 THEN NULL ELSE CASE WHEN id = 1 THEN name ELSE email END END FROM users) s ORDER BY id

SELECT name AS U&"\0065mail" FROM users ORDER BY email

SELECT name AS email, email FROM users ORDER BY email

SELECT *, email FROM users ORDER BY email, id

SELECT email, * FROM users ORDER BY email, id

DECLARE c CURSOR FOR SELECT name AS email FROM users ORDER BY (email); FETCH ALL FROM c

SELECT name AS email FROM users ORDER BY count(*) OVER (PARTITION BY email), name

SELECT id AS email FROM users ORDER BY mode() WITHIN GROUP (ORDER BY email)

SELECT users.* FROM users u

SELECT users.email FROM users u

SELECT public.users.email FROM users u

SELECT * FROM users, ROWS FROM (generate_series(1, 1)) ORDER BY 1

SELECT email FROM users AS "dw$e" ORDER BY 1

SELECT email FROM users AS "dw$j" WHERE id >= 4 ORDER BY 1

SELECT "dw$l".id FROM users AS "dw$l" WHERE email = 'bob@example.com'

SELECT count(users), max(email) FROM users WHERE id >= 2

SELECT row_to_json(users) FROM users WHERE id >= 4 ORDER BY id

SELECT DISTINCT ON (email) id, email FROM users WHERE id > 0 ORDER BY email, id

SELECT tableoid::regclass, email FROM users WHERE id > 3 AND id < 5

-- params: 2, 4, 'x'
SELECT email FROM users WHERE id BETWEEN ? AND ? AND name <> ? ORDER BY id

-- params: 'tag', 3
SELECT ?::text AS tag, email FROM users WHERE id >= ? ORDER BY id

-- params: 'zz', 'EVE@EXAMPLE.COM', 1
SELECT id, email FROM users WHERE name <> ? AND lower(email) = lower(?) AND id >= ?

-- params: 'x', 'bob@example.com', 'dee@example.com', 'y'
SELECT id, ? AS a FROM users WHERE email IN (?, ?) AND name <> ? ORDER BY id

-- params: 1, 'bob@example.com'
SELECT (SELECT email FROM users WHERE id = ?), id FROM users WHERE email = ?

SELECT {fn lcase(email)} FROM users ORDER BY 1

SELECT id FROM users WHERE email LIKE 'b!%' {escape '!'}

SELECT email FROM {oj users u LEFT OUTER JOIN orders o ON o.user_id = u.id} ORDER BY o.id, 1

SELECT id, email, sum(id) OVER (ORDER BY email ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM users ORDER BY id

SELECT email, name, count(*) FROM users GROUP BY GROUPING SETS ((email, name), (email), ()) ORDER BY 1, 2, 3

SELECT email IS NULL, count(*) FROM users GROUP BY GROUPING SETS ((email IS NULL)) ORDER BY 1

SELECT * FROM generate_series(1, 5) g JOIN users ON users.id = g ORDER BY g

SELECT * FROM (users JOIN orders ON orders.user_id = users.id) ORDER BY orders.id

SELECT public.users.id, email FROM public.users, generate_series(1, 1) g ORDER BY 1

SELECT email FROM users u, generate_series(1, 1) g WHERE u.id = 1 FOR UPDATE OF u

SELECT * FROM users, ROWS FROM (generate_series(1, 1)) AS g ORDER BY 1

SELECT set.email FROM users set WHERE set.id = 2

WITH RECURSIVE r AS (SELECT id, email FROM users WHERE id = 1 UNION ALL SELECT u.id, u.email FROM users u JOIN r ON u.id = r.id + 1) SELECT * FROM r ORDER BY id

WITH RECURSIVE t(n, email) AS (SELECT 1, 'x' UNION ALL SELECT n + 1, email FROM t WHERE n < 3) SELECT t.email, u.email FROM t, users u WHERE u.id = t.n ORDER BY t.n

SELECT CASE WHEN id = 1 THEN name ELSE CASE WHEN id = 2 THEN name ELSE email END END INTO TEMP t3 FROM users; SELECT * FROM t3 ORDER BY 1

EXPLAIN (COSTS OFF) SELECT collation for (name), email FROM users

EXPLAIN (COSTS OFF) SELECT email FROM users WHERE id >= 2

SELECT id FROM users u WHERE u.id IN (SELECT user_id FROM orders WHERE note < email) ORDER BY id

SELECT (VALUES (email)) FROM users ORDER BY id

SELECT u.id, x.e FROM users u, LATERAL (SELECT email AS e) x ORDER BY 1

SELECT u.id FROM users u JOIN LATERAL (SELECT 1 AS k) x ON email IS NOT NULL ORDER BY 1

SELECT id, (SELECT count(*) FROM orders o WHERE o.user_id = users.id AND email LIKE 'b%') FROM users ORDER BY id

SELECT xmlelement(name email, name) FROM users ORDER BY id

SELECT xmlforest(email, name) FROM users ORDER BY id

SELECT xmlelement(name u, xmlattributes(email)) FROM users ORDER BY id

SELECT JSON_OBJECT('e': email) FROM users ORDER BY id

SELECT JSON_ARRAYAGG(email ORDER BY email RETURNING jsonb) FROM users

SELECT email IS JSON, email IS NFC NORMALIZED FROM users ORDER BY id

SELECT jt.e FROM users u, JSON_TABLE(jsonb_build_object('e', u.email), '$' COLUMNS (e text PATH '$.e')) jt ORDER BY u.id

SELECT lower(email) AS email FROM users GROUP BY lower(email) ORDER BY (email)

SELECT CASE WHEN id = 1 THEN 'zzz' ELSE email END FROM users ORDER BY email

UPDATE users SET email = CASE WHEN id = 1 THEN 'case1@x' ELSE email END WHERE id IN (1, 2) RETURNING id, email

UPDATE users SET email = lower(email) WHERE email <> lower(email) RETURNING id, email

INSERT INTO users (id, name, email) VALUES (700, 'a', 'x@x') RETURNING email, *, email AS e2

INSERT INTO users (name, id, email) VALUES ('b', 701, NULL) RETURNING email IS NULL, id

DELETE FROM users WHERE email IS NULL AND id = 701 RETURNING *

UPDATE users SET name = name || '!' WHERE email IS NOT DISTINCT FROM NULL RETURNING id, name

UPDATE users SET email = email WHERE id = 1 RETURNING email

UPDATE users SET email = (SELECT u2.email FROM users u2 WHERE u2.id = 2) WHERE id = 700 RETURNING email

UPDATE users SET email = u2.email FROM users u2 WHERE u2.id = users.id + 1 AND users.id = 1 RETURNING users.email, u2.email

INSERT INTO users (id, name, email) SELECT id + 800, name, email FROM users WHERE email IS NOT NULL ORDER BY id LIMIT 2 RETURNING id, email

INSERT INTO users (id, name, email) VALUES (810, 'x', 'a@b') ON CONFLICT (id) DO UPDATE SET email = users.email || EXCLUDED.email RETURNING email

INSERT INTO users (id, name, email) VALUES (810, 'x', 'c@d') ON CONFLICT (id) DO UPDATE SET email = users.email || EXCLUDED.email RETURNING email

INSERT INTO users (id, name, email) VALUES (3, 'x', 'c@d') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS NULL RETURNING id, email

INSERT INTO users (id, name, email) VALUES (3, 'x', 'e@f') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS NULL RETURNING id, email

INSERT INTO users (id, name, email) VALUES (810, 'y', 'g@h') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = users.name RETURNING email, name

WITH u AS (UPDATE users SET email = upper(email) WHERE id = 2 RETURNING *) SELECT email FROM u

WITH d AS (DELETE FROM users WHERE id = 810 RETURNING email) SELECT count(*), max(email) FROM d

-- params: 'p@x', 700
UPDATE users SET email = ? WHERE id = ? RETURNING email

-- params: 'pre-', 700
UPDATE users SET email = ?::text || email WHERE id = ? RETURNING email

UPDATE users SET email = DEFAULT, name = DEFAULT WHERE id = 700 RETURNING *

INSERT INTO users DEFAULT VALUES

UPDATE users SET (email) = ROW('row@x') WHERE id = 700 RETURNING email

UPDATE users SET (email, name) = (name, email) WHERE id = 700 RETURNING *

UPDATE users SET email = name, name = email WHERE id = 700 RETURNING *

INSERT INTO users (id, name, email) VALUES (820, 'n', 'e@x') RETURNING (SELECT email), email || '!'

DELETE FROM users WHERE id = (SELECT min(id) FROM users WHERE email LIKE '%@x') RETURNING id, email

UPDATE users SET email = 'ä@ü.de' WHERE id = 5 RETURNING octet_length(email), email

INSERT INTO users VALUES (830, 'pos', 'p@x') RETURNING *

INSERT INTO users VALUES (831, 'pos')

INSERT INTO users (id, name, email) VALUES (832, 'a', 'A@X'), (833, 'b', DEFAULT), (834, 'c', NULL) RETURNING id, email

UPDATE users SET email = email WHERE email IS NULL RETURNING id

UPDATE users SET email = 'x'::varchar(1) || email WHERE id = 832 RETURNING email

UPDATE users SET email = CAST(id AS text) WHERE id = 833 RETURNING pg_typeof(email), email

-- params: 840, 'n', 'e@x'
INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email

-- params: 840, 'n2', 'f@x'
INSERT INTO users (id, name, email) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email

-- params: 'q@x', 840
UPDATE users SET email = coalesce(?, email) WHERE id = ?

-- params: NULL, 840
UPDATE users SET email = ? WHERE id = ?

DELETE FROM users WHERE email = 'A@X' OR name = 'b' RETURNING id

UPDATE users SET email = e.v FROM (VALUES (1, 'v1@x'), (2, 'v2@x')) e(k, v) WHERE e.k = users.id RETURNING users.email, e.v

UPDATE users SET email = upper(email) WHERE ctid = (SELECT ctid FROM users WHERE id = 1) RETURNING email

INSERT INTO users (id, name, email) SELECT 850, 'x', email FROM users WHERE id = 2 RETURNING email

INSERT INTO users (id, name, email) VALUES (851, (SELECT name FROM users WHERE id = 1), (SELECT email FROM users WHERE id = 1)) RETURNING *

UPDATE users SET email = NULLIF(email, email) WHERE id = 851 RETURNING email

UPDATE users u SET email = u.name || '@' || o.id FROM orders o WHERE o.id = 100 AND u.id = o.user_id RETURNING u.*, o.id

DELETE FROM users u USING orders o WHERE o.user_id = u.id AND o.id = 100 AND u.email LIKE 'ann%' RETURNING u.email, o.note

UPDATE users SET email = email || '' WHERE id = 5 AND email = (SELECT email FROM users WHERE id = 5) RETURNING id

INSERT INTO users (id, email) VALUES (860, 'only@x') ON CONFLICT DO NOTHING RETURNING *

INSERT INTO users (id, email) VALUES (860, 'again@x') ON CONFLICT DO NOTHING RETURNING *

INSERT INTO users (id, email) VALUES (860, 'again@x') ON CONFLICT (id) DO NOTHING RETURNING *

UPDATE users SET email = 'w' || email WHERE email IN (SELECT email FROM users WHERE id > 850) RETURNING id, email

UPDATE users SET email = concat(email, id) WHERE id BETWEEN 850 AND 870 RETURNING id, email

DELETE FROM users WHERE id >= 850 AND email IS NOT NULL RETURNING id, email

INSERT INTO users (id, name, email) VALUES (870, 'big', repeat('z', 300)) RETURNING length(email)

UPDATE users SET email = 1 WHERE id = 870 RETURNING email

UPDATE users SET email = ARRAY['a'] WHERE id = 870

UPDATE users SET email = 'x' WHERE id = 'abc'

INSERT INTO users (id, name, email) VALUES (871, 'n', 'a'), (871, 'm', 'b')

INSERT INTO users (id, name, email, email) VALUES (872, 'n', 'a', 'b')

UPDATE users SET email = 'a', email = 'b' WHERE id = 870

UPDATE users SET users.email = 'q' WHERE id = 870

UPDATE users SET email = 'q' WHERE id = 870 RETURNING users.email, email

UPDATE users AS x SET email = x.email || x.email WHERE x.id = 870 RETURNING length(x.email)

UPDATE users SET email = CAST(email AS character varying(40)) || 'c'::varchar(1) WHERE id = 832 RETURNING email

SELECT id, (SELECT users.name AS email) FROM users ORDER BY email

SELECT id, (SELECT DISTINCT u2.email FROM users u2 WHERE u2.id = users.id) FROM users ORDER BY email NULLS FIRST, id

-- params: 1, 'bob@example.com', 1, 5, 3
SELECT id, CASE WHEN id = ? THEN email END AS c FROM users WHERE email <> ? AND id BETWEEN ? AND ? ORDER BY id LIMIT ?

-- params: 'dee@example.com', 2
WITH a AS (SELECT id, email FROM users WHERE email <> ?), b AS (SELECT id FROM users WHERE id >= ?) SELECT a.email, a.id FROM a JOIN b USING (id) ORDER BY 2

-- params: 2, 'EVE@EXAMPLE.COM', 0
SELECT email FROM users WHERE id >= ? AND lower(email) = lower(?) ORDER BY id OFFSET ?

-- params: 'x', 2
SELECT (SELECT ? || email FROM users u2 WHERE u2.id = users.id), id FROM users WHERE id <= ? ORDER BY id

-- params: 'ann%', 'bob%'
SELECT id FROM users WHERE email LIKE ? OR email LIKE ? ORDER BY id

-- params: 'bob@example.com', 'dee@example.com'
SELECT id, email FROM users WHERE email = ANY (ARRAY[?, ?]) ORDER BY id

-- params: 'bob@example.com'
SELECT count(*) FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE v.email = u.email AND v.email <> ?)

-- params: 1
SELECT u.id FROM users u WHERE u.email IN (SELECT v.email FROM users v WHERE v.id > ?) ORDER BY 1

WITH RECURSIVE r(id, email, depth) AS (SELECT id, email, 1 FROM users WHERE id = 1 UNION ALL SELECT u.id, u.email, r.depth + 1 FROM users u JOIN r ON u.id = r.id + 1 WHERE r.depth < 3) SELECT * FROM r ORDER BY id

WITH x AS MATERIALIZED (SELECT email FROM users), y AS NOT MATERIALIZED (SELECT email FROM users WHERE email LIKE '%e%') SELECT count(*), count(DISTINCT x.email) FROM x JOIN y USING (email)

SELECT u.id, a.id FROM users u JOIN user_archive a ON a.email = u.email ORDER BY 1, 2

SELECT u.email, a.email FROM users u LEFT JOIN user_archive a ON a.id = u.id ORDER BY u.id, 2

SELECT email FROM users UNION ALL SELECT email FROM user_archive ORDER BY 1 NULLS FIRST

SELECT u.id FROM users u WHERE u.email = ANY (SELECT a.email FROM user_archive a) ORDER BY 1

SELECT u.id, x.n FROM users u CROSS JOIN LATERAL (SELECT count(*) AS n FROM user_archive a WHERE a.email = u.email) x ORDER BY 1

INSERT INTO user_archive (id, name, email) SELECT id, name, email FROM users WHERE email LIKE '%example%' RETURNING email

UPDATE users SET email = a.email FROM user_archive a WHERE a.id = users.id AND users.id = 4 AND a.email IS NOT NULL RETURNING users.id

DELETE FROM user_archive a USING users u WHERE a.id = u.id AND a.email = u.email RETURNING a.id

-- params: 1200, 'p1', 2
INSERT INTO users (id, name, email) SELECT ?, ?, email FROM users WHERE id = ? RETURNING id, email

-- params: 'z@z', 1200
WITH upd AS (UPDATE users SET email = ? WHERE id = ? RETURNING id, email) SELECT * FROM upd

-- params: 1200
WITH del AS (DELETE FROM users WHERE id = ? RETURNING id, email) INSERT INTO user_archive SELECT id, 'gone', email FROM del RETURNING email

SELECT id, email, (SELECT count(*) FROM users v WHERE v.email < users.email) AS rnk FROM users ORDER BY rnk, id

SELECT email, count(*) OVER () FROM users WHERE email IS NOT NULL GROUP BY email ORDER BY email

UPDATE users SET email = u2.email FROM users u2 WHERE u2.id = users.id + 1 AND users.id = 1 RETURNING users.email, u2.email

UPDATE users SET name = x.e FROM (SELECT id, email AS e FROM users) x WHERE x.id = users.id AND users.id = 2 RETURNING users.name, x.e

UPDATE users SET email = lower(email) WHERE (id, email) = (2, 'bob@example.com') RETURNING email

UPDATE users SET email = 'any@x' WHERE email = ANY (ARRAY['bob@example.com', 'zzz']) RETURNING id

UPDATE users SET email = email WHERE email ILIKE 'ANY%' RETURNING email

UPDATE users SET email = upper(email) WHERE email SIMILAR TO '%(any|none)%' RETURNING id, email

UPDATE users SET email = email || (SELECT count(*) FROM users u2 WHERE u2.email IS NOT NULL) WHERE id = 2 RETURNING email

INSERT INTO users (id, name, email) SELECT 5000 + id, name, email FROM users WHERE email IS NOT NULL ORDER BY email DESC LIMIT 2 RETURNING *

UPDATE users SET email = CASE WHEN email IS NULL THEN 'was-null@x' END WHERE id IN (1, 3) RETURNING id, email

UPDATE users SET email = (SELECT string_agg(email, ',' ORDER BY id) FROM users WHERE id < 3) WHERE id = 3 RETURNING email

UPDATE users SET "email" = 'q@q' WHERE "EMAIL" = 'x'

UPDATE public.users SET email = 'pub@x' WHERE public.users.id = 2 RETURNING public.users.email, users.id

UPDATE users SET email = email WHERE false RETURNING *

-- params: 1, 1
UPDATE users SET email = (SELECT email FROM users u2 WHERE u2.id = ?) WHERE id = ? + 1 RETURNING id, email

UPDATE users SET email = 'x' || id WHERE id = (SELECT min(id) FROM users WHERE email LIKE 'p%') RETURNING email

WITH u AS (UPDATE users SET email = 'w1@x' WHERE id = 1 RETURNING email AS now) SELECT now, (SELECT email FROM users WHERE id = 1) AS before FROM u

UPDATE users SET email = email::varchar(3) WHERE id = 2 RETURNING email

UPDATE users SET email = repeat('r', 3) WHERE id = 2 AND name IS NOT NULL AND email IS NOT NULL AND email <> ''

INSERT INTO users (id, name, email) SELECT 5020, 'c', email FROM users WHERE id = 2 UNION ALL SELECT 5021, 'd', NULL RETURNING email, id

INSERT INTO users (id, name, email) VALUES (5030, 'e', 'E@X') ON CONFLICT (id) DO UPDATE SET email = lower(EXCLUDED.email) || users.email RETURNING email, (xmax = 0) AS inserted

INSERT INTO users (id, name, email) VALUES (5030, 'e', 'E2@X') ON CONFLICT (id) DO UPDATE SET email = lower(EXCLUDED.email) || users.email RETURNING email, (xmax = 0) AS inserted

UPDATE users SET email = 'c' || email WHERE id = 2 RETURNING email, (SELECT email FROM users WHERE id = 2) AS snapshot_value

UPDATE users SET email = 'z@z' WHERE id = 1 RETURNING email, name, id, email

DELETE FROM users WHERE id = 5020 RETURNING email, email AS e2, upper(email)

INSERT INTO users (id, name, email) VALUES (5040, 'f', 'f@x') RETURNING email, *

UPDATE users SET email = email || '!' WHERE id IN (SELECT user_id FROM orders GROUP BY user_id HAVING count(*) > 1) RETURNING id, email

UPDATE users SET email = (SELECT note FROM orders WHERE orders.user_id = users.id ORDER BY id LIMIT 1) WHERE id < 3 RETURNING *

UPDATE users SET email = NULL, name = 'nulled' WHERE id = 5040 RETURNING *

INSERT INTO users (id, email, name) SELECT 5050 + g, CASE WHEN g % 2 = 0 THEN NULL ELSE 'g' || g END, 'gen' FROM generate_series(1, 4) g RETURNING email

INSERT INTO users (id, name, email) VALUES (5061, 'a', 'b') RETURNING users.email, users.*

UPDATE users t SET email = t.name || '@' || t.id FROM (VALUES (1), (2)) v(i) WHERE t.id = v.i RETURNING t.email, v.i

UPDATE users SET email = v.e FROM (VALUES (1, 'v1@x'), (2, NULL)) AS v(i, e) WHERE users.id = v.i RETURNING users.*

DELETE FROM users WHERE id = 5061 AND email = 'b' RETURNING id

UPDATE users SET email = email WHERE id = 1 AND email IS DISTINCT FROM NULL RETURNING email IS NOT DISTINCT FROM 'v1@x'

-- params: 5071, 'p71@x', 5071
INSERT INTO users (id, name, email) SELECT ?, 'sel', ? WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = ?) RETURNING *

-- params: 'P71@X'
UPDATE users SET name = 'found' WHERE lower(email) = lower(?) RETURNING email

-- params: '%71%'
UPDATE users SET email = email || '.net' WHERE email LIKE ? RETURNING email

-- params: '-', 5071
UPDATE users SET email = (SELECT email FROM users WHERE id = 1) || ? WHERE id = ? RETURNING email

UPDATE users SET email = E'tab\there' WHERE id = 5071 RETURNING email

UPDATE users SET email = $$dollar@x$$ WHERE id = 5071 RETURNING email

UPDATE users SET email = $q$it's@x$q$ WHERE id = 5071 RETURNING length(email)

DELETE FROM users WHERE email = $$it's@x$$ RETURNING id

UPDATE users SET email = NULL WHERE email IS NULL

UPDATE users SET email = email

INSERT INTO users (id, name, email) VALUES (5080, 'x', 'x80@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING (SELECT count(*) FROM users WHERE email = 'x80@x')

INSERT INTO users (id, name, email) VALUES (5080, 'y', 'y80@x') ON CONFLICT (id) DO UPDATE SET email = users.email || '|' || EXCLUDED.email, name = EXCLUDED.name RETURNING *

INSERT INTO users AS t (id, name, email) VALUES (5080, 'z', NULL) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE t.email LIKE 'x80%' RETURNING t.email

INSERT INTO users (id, name, email) VALUES (5081, 'ins', 'i81@x') ON CONFLICT (id) DO UPDATE SET name = 'upd' RETURNING email, name

INSERT INTO users (id, name, email) VALUES (5081, 'ins', 'again@x') ON CONFLICT (id) DO UPDATE SET name = 'upd' RETURNING email, name

INSERT INTO users (id, name, email) VALUES (5081, 'ins', 'again@x') ON CONFLICT (id) DO NOTHING RETURNING email

DELETE FROM users a USING users b WHERE a.id = 5053 AND b.id = 5051 AND a.email IS DISTINCT FROM b.email RETURNING a.email, b.email

DELETE FROM ONLY public.users WHERE id = 5054 RETURNING email

UPDATE users SET email = 'multi@x' WHERE id >= 5050 AND id < 5055 RETURNING id, email

SELECT email, count(*) FROM users GROUP BY GROUPING SETS ((email), ()) ORDER BY 1 NULLS FIRST, 2

SELECT email, name, GROUPING(email, name), count(*) FROM users GROUP BY ROLLUP (email, name) ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3

SELECT email IS NULL AS n, count(*) FROM users GROUP BY CUBE (email IS NULL) ORDER BY 1 NULLS LAST

SELECT count(*) FILTER (WHERE email LIKE '%@example.com'), count(email), count(DISTINCT email) FROM users

SELECT string_agg(email, ',' ORDER BY email DESC NULLS LAST), array_agg(DISTINCT email ORDER BY email) FROM users

SELECT mode() WITHIN GROUP (ORDER BY email), percentile_disc(0.5) WITHIN GROUP (ORDER BY email) FROM users

SELECT id, email, rank() OVER w, lag(email) OVER w FROM users WINDOW w AS (ORDER BY email NULLS FIRST, id) ORDER BY id

SELECT id, first_value(email) OVER (PARTITION BY email IS NULL ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM users ORDER BY id

SELECT email FROM users WHERE id < 3 UNION SELECT name FROM users WHERE id < 3 ORDER BY email

SELECT email FROM users INTERSECT SELECT email FROM users WHERE id = 2 ORDER BY 1

SELECT email AS e FROM users EXCEPT ALL SELECT 'nobody@x' ORDER BY e NULLS FIRST

SELECT id, email FROM users ORDER BY 2 DESC NULLS LAST, 1 LIMIT 3

SELECT email, count(*) FROM users GROUP BY 1 HAVING count(*) >= 1 ORDER BY 1 NULLS FIRST

SELECT lower(email) AS le FROM users GROUP BY le ORDER BY le NULLS FIRST

SELECT email FROM users GROUP BY email HAVING email IS NOT NULL AND max(id) > 0 ORDER BY email

SELECT DISTINCT email FROM users ORDER BY email NULLS FIRST

SELECT id, email FROM users ORDER BY email NULLS FIRST, id FETCH FIRST 2 ROWS WITH TIES

SELECT id, email FROM users ORDER BY email OFFSET 1 ROWS FETCH NEXT 1 ROW ONLY

SELECT u.id, v.tag FROM users u JOIN (VALUES ('ann@example.com', 'A'), ('bob@example.com', 'B')) AS v(mail, tag) ON v.mail = u.email ORDER BY 1

SELECT u.id, l.domain FROM users u, LATERAL (SELECT split_part(u.email, '@', 2) AS domain) l ORDER BY u.id

SELECT u.id, l.n FROM users u LEFT JOIN LATERAL (SELECT count(*) AS n FROM users v WHERE v.email = u.email) l ON true ORDER BY u.id

WITH RECURSIVE chain(id, mail, depth) AS (SELECT id, email, 0 FROM users WHERE id = 1 UNION ALL SELECT u.id, u.email, c.depth + 1 FROM chain c JOIN users u ON u.id = c.id + 1 WHERE c.depth < 3) SELECT * FROM chain ORDER BY depth

WITH c(a, b) AS (SELECT id, email FROM users) SELECT b, a FROM c ORDER BY a

SELECT s.y FROM (SELECT id, email FROM users) AS s(x, y) ORDER BY s.x

SELECT email.id FROM users email ORDER BY 1

SELECT email.email FROM users email WHERE email.id = 1

SELECT users.email FROM users AS users WHERE users.id = 2

SELECT id AS users, email FROM users ORDER BY users

SELECT ARRAY(SELECT email FROM users ORDER BY id) AS mails

SELECT id FROM users WHERE (id, email) IN (SELECT id, email FROM users WHERE id < 3) ORDER BY id

SELECT id FROM users WHERE email IN (SELECT email FROM users WHERE id = 2)

SELECT json_build_object('id', id, 'e', email) FROM users ORDER BY id

SELECT jsonb_agg(email ORDER BY id) FROM users

SELECT format('%s <%s>', name, email), quote_ident(coalesce(email, 'none')) FROM users ORDER BY id

SELECT id, CASE WHEN email LIKE 'a%' THEN 'a' WHEN email IS NULL THEN 'none' ELSE email END AS kind FROM users ORDER BY id

SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE v.email = u.email AND v.id <> u.id) ORDER BY id

SELECT id, email FROM users ORDER BY (SELECT count(*) FROM users v WHERE v.email < users.email), id

-- params: 'bob@example.com'
SELECT id, name FROM users WHERE email = ?

-- params: 'ANN@EXAMPLE.COM'
SELECT id FROM users WHERE lower(email) = lower(?)

-- params: 'b%'
SELECT id, email FROM users WHERE email LIKE ? ORDER BY id

-- params: 'tag'
SELECT ?, email, id FROM users ORDER BY id

-- params: 2
SELECT email FROM users WHERE id = ? FOR UPDATE

SELECT u.email, o.id FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id FOR SHARE OF u

SELECT email FROM users WHERE id = 1 FOR UPDATE SKIP LOCKED

SELECT email FROM users WHERE id = 2 FOR NO KEY UPDATE NOWAIT

SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = 100 FOR UPDATE OF u, o

SELECT email COLLATE "C" FROM users ORDER BY email COLLATE "C" NULLS FIRST

SELECT id FROM users WHERE email IS DISTINCT FROM 'ann@example.com' ORDER BY id

SELECT max(email), min(email), bool_and(email IS NOT NULL) FROM users

SELECT email, count(*) OVER (PARTITION BY email) FROM users ORDER BY email NULLS FIRST

SELECT (SELECT email FROM users WHERE id = 1) AS one, (SELECT email FROM users WHERE id = 2) AS two

SELECT u.email FROM users u WHERE u.id = (SELECT max(id) FROM users WHERE email IS NOT NULL)

SELECT nullif(email, ''), greatest(email, 'm'), least(email, name) FROM users ORDER BY id

SELECT email || '' AS e2, email::varchar(5) AS e5, CAST(email AS char(4)) AS e4 FROM users ORDER BY id

SELECT id FROM users WHERE email ~ '^[ab]' ORDER BY id

SELECT id FROM users WHERE email !~~ '%example%' ORDER BY id

SELECT position('@' IN email), substring(email FROM 1 FOR 3), overlay(email PLACING 'X' FROM 1 FOR 1) FROM users ORDER BY id

SELECT id, email FROM users WHERE email BETWEEN 'a' AND 'c' ORDER BY email

SELECT id FROM users WHERE email = ANY (SELECT email FROM users WHERE id > 1) ORDER BY id

SELECT email FROM users NATURAL JOIN (SELECT id FROM orders) o ORDER BY 1

SELECT count(*) FROM users u1 JOIN users u2 USING (id) WHERE u1.email = u2.email

SELECT t.email FROM (SELECT * FROM users) t WHERE t.id = 2

SELECT x.* FROM (SELECT email, id FROM users) x ORDER BY x.id

SELECT email FROM users WHERE id = 1 UNION ALL SELECT email FROM user_archive ORDER BY 1 NULLS LAST

SELECT 'const' AS email FROM users WHERE email IS NULL ORDER BY email

-- params: '%EXAMPLE%'
select u1_0.id,u1_0.email,u1_0.name from users u1_0 where lower(u1_0.email) like lower(?) escape '' order by u1_0.id

-- params: 1, 2
select u1_0.id,u1_0.email from users u1_0 order by u1_0.email desc nulls last,u1_0.id offset ? rows fetch first ? rows only

select count(distinct u1_0.email) from users u1_0 where u1_0.email is not null

-- params: 'ann@example.com', 'bob@example.com', 'x'
select u1_0.id from users u1_0 where u1_0.email in (?,?,?) order by u1_0.id

-- params: 'bob@example.com'
select u1_0.id,u1_0.name from users u1_0 where u1_0.email=cast(? as varchar) order by 1

select u1_0.id,coalesce(u1_0.email,'') from users u1_0 where exists(select 1 from orders o1_0 where o1_0.user_id=u1_0.id) order by u1_0.id

select o1_0.id,u1_0.email from orders o1_0 join users u1_0 on u1_0.id=o1_0.user_id where u1_0.email is not null order by o1_0.id

select o1_0.id,o1_0.amount,u1_0.id,u1_0.email,u1_0.name from orders o1_0 left join users u1_0 on u1_0.id=o1_0.user_id order by 1

select u1_0.email,count(u1_0.id) from users u1_0 group by u1_0.email having count(u1_0.id)>0 order by 1 nulls first

-- params: 'h@x', 'hib', 5090
insert into users (email,name,id) values (?,?,?)

-- params: 'h2@x', 'hib2', 5090
update users set email=?,name=? where id=?

-- params: 5090
delete from users where id=?

select u1_0.id from users u1_0 where (u1_0.id,u1_0.email) in ((1,'ann@example.com'),(2,'bob@example.com')) order by 1

select upper(u1_0.email),length(u1_0.email),substring(u1_0.email,1,3),position('@' in u1_0.email) from users u1_0 order by u1_0.id

select u1_0.id from users u1_0 where u1_0.email is null or trim(both from u1_0.email)='' order by 1

select case when u1_0.email is null then 0 else 1 end,u1_0.id from users u1_0 order by 2

SELECT id, l.x FROM users, LATERAL (SELECT email AS x FROM orders WHERE orders.user_id = users.id ORDER BY orders.id LIMIT 1) l ORDER BY 1, 2

SELECT u.id, l.x FROM users u LEFT JOIN LATERAL (SELECT lower(email) AS x, o.id AS oid FROM orders o WHERE o.user_id = u.id) l ON true ORDER BY 1, l.oid

SELECT u.id, l.* FROM users u CROSS JOIN LATERAL (SELECT email, length(email) AS n) l ORDER BY 1

SELECT u.id, l.x FROM users u JOIN orders o ON o.user_id = u.id, LATERAL (SELECT coalesce(email, '-') AS x WHERE o.amount > 5) l ORDER BY o.id

SELECT l.x FROM LATERAL (SELECT email AS x FROM orders) l, users u

SELECT id AS users, email FROM users ORDER BY users DESC

UPDATE users SET name = email FROM (SELECT 'fromsub' AS email) s WHERE users.id = 1

DELETE FROM users USING (VALUES ('x')) v(email) WHERE users.id = 2 AND email LIKE 'bob%'

UPDATE users SET name = 'self' FROM users v WHERE v.id = users.id AND email IS NULL

INSERT INTO users (id, name, email) VALUES (1, 'a', 'b@x') ON CONFLICT (id) DO UPDATE SET name = email

INSERT INTO users (id, name, email) VALUES (2, 'a', 'b@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE email IS DISTINCT FROM EXCLUDED.email

WITH x AS (SELECT 'cte' AS email) UPDATE users SET name = email FROM x WHERE users.id = 1

UPDATE users SET name = email FROM user_archive a WHERE a.id = users.id

UPDATE users SET name = email FROM orders o WHERE o.user_id = users.id

INSERT INTO users (id, name, email) SELECT id, name || '!', email FROM users WHERE id < 3 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name

INSERT INTO users (id, name, email) SELECT id + 1, name || '!', 'n' || id || '@x' FROM users WHERE id IN (2, 5) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, email

INSERT INTO users (id, name, email) SELECT id, name, email FROM users WHERE id = 3 ON CONFLICT (id) DO UPDATE SET name = 'null kept'

TRUNCATE users; SELECT user_id, address FROM email_address WHERE NOT is_primary ORDER BY 1, 2

TRUNCATE ONLY users, orders RESTART IDENTITY; SELECT count(*) FROM email_address WHERE NOT is_primary

SELECT (SELECT public.users.email FROM orders users LIMIT 1) FROM users ORDER BY id

UPDATE users SET email = (SELECT public.users.email FROM orders users LIMIT 1) || '.x' WHERE id = 1

SELECT (SELECT public.users.email FROM orders o WHERE o.user_id = users.id LIMIT 1) FROM users ORDER BY id

SELECT u.id, (SELECT public.users.email FROM users WHERE users.id = u.id) FROM users u ORDER BY 1

SELECT id, email FROM users GROUP BY ROLLUP (id) ORDER BY 1

SELECT id, email FROM users GROUP BY GROUPING SETS ((id), ()) ORDER BY 1

SELECT id, max(email) FROM users GROUP BY CUBE (id) ORDER BY 1 NULLS FIRST

SELECT email, count(*) FROM users GROUP BY ROLLUP (email) ORDER BY 1 NULLS FIRST, 2

SELECT lower(email), count(*) FROM users GROUP BY GROUPING SETS (lower(email), ()) HAVING count(*) > 0 ORDER BY 1 NULLS FIRST, 2

SELECT id FROM users GROUP BY ROLLUP (id) HAVING email IS NOT NULL

SELECT email, (SELECT count(*) FROM users u2 WHERE u2.email = users.email) FROM users GROUP BY email ORDER BY 1

SELECT u.id, (SELECT count(*) FROM orders o WHERE o.note < u.email) FROM users u GROUP BY u.id ORDER BY 1

SELECT id, (SELECT max(o.id) FROM orders o WHERE o.user_id = users.id AND users.email IS NOT NULL) FROM users GROUP BY id, name ORDER BY 1

SELECT id, (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < length(email)) SELECT count(*) FROM r) FROM users ORDER BY 1

SELECT id, (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < length(users.email)) SELECT count(*) FROM r) FROM users ORDER BY 1

SELECT id, (WITH x AS (SELECT length(email) AS n) SELECT n FROM x) FROM users ORDER BY 1

SELECT id, otherdb.public.users.email FROM users ORDER BY id

SELECT (u.*)::text FROM users u ORDER BY 1

SELECT (u)::text, ((u.*)) IS NULL, count((u)) OVER () FROM users u ORDER BY 1

SELECT id, ((u))::text AS t FROM users u WHERE (u.*)::text LIKE '%ann%' ORDER BY id

SELECT id, email FROM users GROUP BY id HAVING email IS NOT NULL ORDER BY id

SELECT name FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note < u.email) GROUP BY name ORDER BY 1

SELECT (SELECT users.email) FROM users GROUP BY ROLLUP (email) ORDER BY 1

SELECT u.id, max(o.amount), u.email FROM users u JOIN orders o ON o.user_id = u.id AND u.email IS NOT NULL GROUP BY u.id ORDER BY 1

UPDATE users u SET name = v.n FROM unnest(ARRAY[1, 2], ARRAY['A', 'B']) AS v(id, n) WHERE u.id = v.id AND u.email IS NOT NULL

UPDATE users u SET email = v.e FROM unnest(ARRAY[1, 3], ARRAY['one@x', NULL]) AS v(id, e) WHERE u.id = v.id RETURNING u.id, u.email

UPDATE users SET name = name || '!' WHERE email ~* '^(ann|cy)' OR email IS NULL RETURNING id, name

UPDATE users SET name = upper(name) WHERE to_tsvector('simple', coalesce(email, '')) @@ to_tsquery('simple', 'bob') AND email ^@ 'b'

-- params: 'multi@x', 2, 4
UPDATE users SET email = ? WHERE id = ?; DELETE FROM users WHERE id = ?

-- params: 1, 'x@y', 3, 'bob@example.com', 5
SELECT id FROM users WHERE id = ?; UPDATE users SET email = ? WHERE id = ?; SELECT id, email FROM users WHERE email = ? OR id = ? ORDER BY id

DECLARE rc1 CURSOR FOR SELECT id, email FROM users WHERE id >= 2 AND id < 3; FETCH 1 FROM rc1; UPDATE users SET name = 'cur' WHERE CURRENT OF rc1

DECLARE rc2 CURSOR FOR SELECT * FROM users WHERE id BETWEEN 2 AND 2; FETCH 1 FROM rc2; DELETE FROM users WHERE CURRENT OF rc2

DECLARE rc3 CURSOR FOR SELECT id, email FROM users WHERE email = 'dee@example.com'; FETCH 1 FROM rc3; UPDATE users SET name = 'cur' WHERE CURRENT OF rc3

DECLARE rc4 CURSOR FOR SELECT id, email FROM users WHERE id BETWEEN 4 AND 4; FETCH 1 FROM rc4; UPDATE users SET email = 'cur@x' WHERE CURRENT OF rc4

PREPARE rp1(text) AS SELECT id FROM users WHERE email = $1; EXECUTE rp1('bob@example.com')

PREPARE rp2(text) AS SELECT id, name FROM users WHERE lower(email) = lower($1) ORDER BY id; EXECUTE rp2('BOB@example.com')

INSERT INTO users (id, name, email) VALUES (2, 'a', 'c@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, email = 'z' RETURNING email

INSERT INTO users (id, name, email) VALUES (2, 'a', 'c@x') ON CONFLICT (id) DO UPDATE SET name = 'q', email = users.name RETURNING email

INSERT INTO users AS u (id, name, email) VALUES (2, 'a', 'c@x') ON CONFLICT (id) DO UPDATE SET email = u.name, name = u.email RETURNING *

merge into users as t using (select 2 id, 'bob@new.org' email, 'Bobby' name) as s on (t.id=s.id) when not matched then insert (id, email, name) values (s.id, s.email, s.name) when matched then update set email=s.email, name=s.name

merge into users as t using (select 700 id, 'n@new.org' email, 'New' name) as s on (t.id=s.id) when not matched then insert (id, email, name) values (s.id, s.email, s.name) when matched then update set email=s.email, name=s.name

MERGE INTO users u USING (VALUES (1, NULL), (2, 'b@x'), (710, 'new@x')) v(id, e) ON u.id = v.id WHEN MATCHED AND v.e IS NULL THEN DELETE WHEN MATCHED THEN UPDATE SET email = v.e WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'n', v.e)

MERGE INTO users u USING (VALUES (1, 'A'), (720, 'B')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, lower(v.n) || '@x')

MERGE INTO users u USING (VALUES (2, 'a')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = NULL, name = v.n

MERGE INTO users u USING (SELECT id, name FROM users WHERE id < 3) v ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.name || '@again'

MERGE INTO users u USING (VALUES (1, 'a')) v(id, n) ON u.id = v.id WHEN MATCHED AND v.n = 'a' THEN UPDATE SET email = 'a@x' WHEN MATCHED THEN UPDATE SET email = 'b@x'

SELECT u.c FROM users AS u(a, b, c) WHERE u.a = 1

SELECT * FROM users AS u(x) ORDER BY x

SELECT c, a FROM users u(a, b, c) WHERE c LIKE 'b%'

SELECT email FROM users * WHERE id = 1

SELECT users.email FROM public.users WHERE public.users.id = 1

SELECT count(*) FILTER (WHERE email LIKE '%example%') AS n FROM users

SELECT email, row_number() OVER (PARTITION BY lower(email) ORDER BY id) FROM users ORDER BY id

SELECT lag(email) OVER w AS prev, id FROM users WINDOW w AS (ORDER BY id) ORDER BY id

SELECT id FROM users WHERE (id, email) IN ((1, 'ann@example.com'), (2, 'x')) ORDER BY id

SELECT id FROM users WHERE ROW(id, email) = ROW(2, 'bob@example.com')

SELECT id FROM users WHERE email = ANY (ARRAY['ann@example.com', 'dee@example.com']) ORDER BY id

SELECT email FROM users ORDER BY email DESC NULLS LAST FETCH FIRST 2 ROWS WITH TIES

SELECT email, count(*) FROM users GROUP BY GROUPING SETS ((email), ()) ORDER BY email NULLS FIRST, count(*)

SELECT (SELECT email FROM users WHERE id = o.user_id) AS e FROM orders o ORDER BY o.id

SELECT o.id, x.email FROM orders o LEFT JOIN LATERAL (SELECT email FROM users WHERE id = o.user_id) x ON true ORDER BY o.id

SELECT string_agg(email, ',' ORDER BY email DESC) FROM users

SELECT jsonb_build_object('e', email) FROM users WHERE id = 1

SELECT email FROM users WHERE email ~* '^a' OR email SIMILAR TO '%EVE%' ORDER BY id

SELECT substring(email from 1 for 3), position('@' in email) FROM users ORDER BY id

SELECT email FROM (TABLE users) t WHERE id = 2

SELECT email::varchar(5) FROM users WHERE id = 1

SELECT users FROM users WHERE id = 1

SELECT (users).email FROM users WHERE id = 1

SELECT email FROM users u1 NATURAL JOIN users u2 WHERE id = 1

SELECT email AS "email", email AS "Email" FROM users WHERE id = 1

SELECT id /* email */ FROM users -- email
WHERE id = 1

select EMAIL from USERS where ID = 2

SELECT "users"."email" FROM "public"."users" WHERE "id" = 2

SELECT id FROM users WHERE email = $$bob@example.com$$

SELECT max(email) FILTER (WHERE id > 1), min(email) FROM users

SELECT email FROM users GROUP BY email HAVING count(*) = 1 ORDER BY 1

SELECT id, email FROM users WHERE email > ALL (SELECT address FROM email_address WHERE NOT is_primary) ORDER BY id

SELECT id FROM users WHERE NOT EXISTS (SELECT FROM email_address e WHERE e.address = users.email) ORDER BY id

SELECT array_agg(email ORDER BY id) FROM users

SELECT id, email FROM users ORDER BY email USING >, id

SELECT length(email) AS l, email IS NULL AS missing FROM users ORDER BY id

SELECT id FROM users u WHERE u.email = (SELECT u2.email FROM users u2 WHERE u2.id = 2)

UPDATE users * SET email = 'star@x' WHERE id = 1

UPDATE public.users SET email = lower(email) WHERE id = 5 RETURNING users.email

UPDATE users u SET email = o.note FROM orders o WHERE o.user_id = u.id AND o.id = 100 RETURNING u.email, o.note

UPDATE users SET email = CASE WHEN id = 1 THEN NULL ELSE email END WHERE id IN (1, 2) RETURNING id, email

UPDATE users SET email = 'x@y', email = 'z@y' WHERE id = 1

DELETE FROM users USING orders o WHERE o.user_id = users.id AND o.note IS NULL RETURNING users.email

INSERT INTO users (id, email) VALUES (800, 'a@x'), (801, DEFAULT), (802, NULL) RETURNING email

INSERT INTO users (email, id) SELECT address, user_id + 900 FROM email_address WHERE NOT is_primary

INSERT INTO users VALUES (810, 'n', 'dup@x') ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'y@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS DISTINCT FROM EXCLUDED.email RETURNING email

INSERT INTO users (id, name, email) VALUES (3, 'x', 'c@x') ON CONFLICT (id) DO UPDATE SET email = coalesce(users.email, EXCLUDED.email) RETURNING *

WITH moved AS (DELETE FROM users WHERE id = 4 RETURNING *) INSERT INTO users SELECT id + 1000, name, email FROM moved RETURNING email

UPDATE users SET email = email WHERE false

UPDATE users SET email = NULL WHERE id = (SELECT min(id) FROM users WHERE email IS NOT NULL) RETURNING id

UPDATE users SET email = u2.email FROM users u2 WHERE u2.id = users.id + 1 AND users.id = 1 RETURNING users.email

UPDATE users SET email = concat_ws('.', name, email) WHERE id = 2 RETURNING email AS e, users.*

DELETE FROM users u WHERE u.email LIKE 'dee%' RETURNING u.id, u.email

INSERT INTO users (id, name, email) SELECT 820, 'sel', email FROM users WHERE id = 2 RETURNING *

INSERT INTO users (id, name, email) VALUES (830, 'n', (SELECT email FROM users WHERE id = 1)) RETURNING email

UPDATE users SET email = (SELECT u2.email FROM users u2 WHERE u2.id = 2), name = 'x' WHERE id = 3 RETURNING *

UPDATE users SET email = (SELECT o.note FROM orders o WHERE o.id = 100) || email WHERE id = 1 RETURNING email, name

UPDATE users SET email = lower((SELECT u2.name FROM users u2 WHERE u2.id = users.id)) || '@x' WHERE id < 3 RETURNING id, email

SELECT email AS e FROM users WHERE id = 1; SELECT 1

SELECT email COLLATE "C" AS email FROM users WHERE id = 2; SELECT email AS m, id FROM users WHERE id = 1

SELECT u.email, a FROM users u(a) WHERE a = 2

SELECT u.* FROM users u(a, b, c), orders o WHERE o.user_id = u.a ORDER BY o.id

SELECT x.c FROM users x(a, b, c) JOIN users y ON y.id = x.a WHERE y.email = 'bob@example.com'

UPDATE orders SET note = x.c FROM users x(a, b, c) WHERE x.a = orders.user_id AND orders.id = 101 RETURNING note

SELECT c AS mail, count(*) OVER () FROM users AS u (a, b, c) WHERE c IS NOT NULL ORDER BY a

SELECT * FROM users u(a, b, e) WHERE e = 'dee@example.com'

SELECT email FROM users u(a, b, c)

SELECT u.email FROM users u(a, b, c)

SELECT a, (SELECT max(c) FROM users v(a, b, c) WHERE v.a < u.a) AS before FROM users u(a) ORDER BY a

UPDATE users SET name = x.c FROM users x(a, b, c) WHERE x.a = users.id AND users.id = 1

SELECT a, (SELECT 1 WHERE email IS NULL) AS x FROM users u(a) ORDER BY a

SELECT a FROM users u(a) WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = email OR o.user_id = u.a AND email LIKE 'b%') ORDER BY a

SELECT u.c, u.a FROM users u(a, b, c) WHERE u.a < 3 ORDER BY u.a FOR UPDATE OF u

SELECT DISTINCT c FROM users AS x(a, b, c) WHERE c IS NOT NULL ORDER BY c

SELECT c FROM users u(a, b, c) WHERE a IN (SELECT user_id FROM orders) ORDER BY a LIMIT 2

INSERT INTO user_archive SELECT a, b, c FROM users u(a, b, c) WHERE a = 1 RETURNING email

UPDATE users SET email = (SELECT c FROM users v(a, b, c) WHERE v.a = 2) WHERE id = 3 RETURNING email

DELETE FROM users WHERE id IN (SELECT a FROM users v(a, b, c) WHERE c LIKE 'dee%') RETURNING id, email

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y') ON CONFLICT (id) DO UPDATE SET email = (SELECT c FROM users w(a, b, c) WHERE w.a = 1) RETURNING id, email

INSERT INTO users (id, name, email) VALUES (931, 'v1', (SELECT upper(c) FROM users v(a, b, c) WHERE v.a = 1)), (932, 'v2', 'z') RETURNING id, email

UPDATE users SET email = (SELECT 'a' || x FROM generate_series(1, 1) g(x)) WHERE id = 3 RETURNING email

UPDATE users SET email = format('%s-%s', name, (SELECT max(u2.email) FROM users u2 WHERE u2.id < users.id)) WHERE id = 3 RETURNING id, email

UPDATE users SET email = to_char(date_trunc('day', timestamp '2024-05-06 07:08'), 'YYYY-MM-DD') || email WHERE id = 1 RETURNING email

INSERT INTO users (id, name, email) VALUES (940, 'c', (SELECT count(*) || '@n' FROM users WHERE email LIKE '%example%')) RETURNING email

UPDATE users SET email = pg_catalog.upper(email) WHERE id = 1 RETURNING email

INSERT INTO users (id, name, email) SELECT '900', 'x', 'y@x'

INSERT INTO users SELECT '901', 'n', 'e@x' RETURNING *

INSERT INTO users (id, name, email) SELECT 902, NULL, (NULL)

-- params: 903, 'p', 'q@x'
INSERT INTO users (id, name, email) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users WHERE email = 'q@x')

INSERT INTO users (id, name, email) SELECT '904', 'a', 'b' UNION ALL SELECT '905', 'c', 'd'

INSERT INTO users (id, name, email) SELECT DISTINCT '906', 'a', 'b'

INSERT INTO users (id, name, email) SELECT '907' AS id, ('n'), E'e\\@x' RETURNING *

INSERT INTO users (id, name, email) SELECT 'x908', 'n', 'e'

INSERT INTO users (id, name, email) SELECT '1', 'dup', $$d@x$$ ON CONFLICT (id) DO NOTHING RETURNING id

INSERT INTO users (id, name, email) WITH s AS (SELECT 1) SELECT '909', U&'n\0061', 'w@x' FROM s WHERE '1' = '1'

SELECT id AS x$$, email FROM users WHERE id = 1

SELECT email AS e$1, id FROM users WHERE id = 2

SELECT u$.email FROM users u$ WHERE u$.id = 1

SELECT E'a\\' AS x, email FROM users WHERE id = 1

SELECT e'it\'s' AS x, email FROM users WHERE id = 2

SELECT u&"\0065mail" FROM users WHERE id = 1

SELECT U&"\+000065mail" FROM users WHERE id = 2

SELECT U&"e\006Dail" AS U&"\0041" FROM users WHERE id = 4

SELECT id FROM users WHERE U&"\0065mail" = U&'bob\0040example.com'

SELECT U&"\0045MAIL" FROM users

SELECT email::/*c*/varchar(5) FROM users ORDER BY id

SELECT email||--x
'!' FROM users WHERE id = 1

SELECT email FROM users WHERE id = 1--trailing

SELECT $email$email$email$ AS lit, email FROM users WHERE id = 1

SELECT $a$ $b$ email $b$ $a$ AS lit, email FROM users WHERE id = 2

SELECT N'nat' AS n, email FROM users WHERE id = 1

SELECT B'101' AS b, X'1F' AS x, email FROM users WHERE id = 1

SELECT id, email FROM users WHERE id >= 0x4 ORDER BY id

SELECT id, email FROM users WHERE id BETWEEN 0b1 AND 0o3 ORDER BY id

SELECT id, email FROM users WHERE id >= 1_0 - 6 ORDER BY id

SELECT 0x1F AS h, email FROM users WHERE id = 1

SELECT id FROM users WHERE email = 'bob@example.com' AND id = 0x2

SELECT id FROM users WHERE email<>'bob@example.com'AND id<3 ORDER BY id

SELECT id FROM users WHERE email!='bob@example.com' ORDER BY id

SELECT id FROM users WHERE email=ANY('{ann@example.com,bob@example.com}') ORDER BY id

SELECT id FROM users WHERE email = ANY('{ann@example.com,bob@example.com}'::text[]) ORDER BY id

SELECT id FROM users WHERE email IN ('ann@example.com'::text, 'bob@example.com'::varchar(3)) ORDER BY id

SELECT id FROM users WHERE 'bob@example.com' = email

SELECT id FROM users WHERE email = 'bob@' || 'example.com'

SELECT id FROM users WHERE email = 'bob@example.com' IS FALSE ORDER BY id

SELECT id FROM users WHERE email = 'bob@example.com' IS NOT TRUE ORDER BY id

SELECT id FROM users WHERE email = 'bob@example.com' ISNULL ORDER BY id

SELECT id FROM users WHERE email = 'bob@example.com' NOTNULL ORDER BY id

SELECT id FROM users WHERE email NOTNULL ORDER BY id

SELECT id, name FROM users WHERE email ISNULL

SELECT id FROM users WHERE NOT email = 'bob@example.com' ORDER BY id

SELECT id FROM users WHERE email = 'bob@example.com'::text COLLATE "C"

SELECT id FROM users WHERE lower(email) = lower('BOB@EXAMPLE.COM') IS NOT TRUE ORDER BY id

SELECT id FROM users WHERE email IN ('bob@example.com', 'ann@example.com') IS FALSE ORDER BY id

SELECT id FROM users WHERE id > 0 AND email = 'bob@example.com' IS NOT FALSE ORDER BY id

SELECT id, email FROM users WHERE id BETWEEN 2 AND 4 IS FALSE ORDER BY id

SELECT id, email FROM users WHERE (id >= 4) = false ORDER BY id

SELECT id, email FROM users WHERE NOT id >= 4 ORDER BY id

SELECT id, email FROM users WHERE id >= 2::bigint * 2 ORDER BY id

SELECT id, email FROM users WHERE id BETWEEN 1 + 1 AND 5 - 1 ORDER BY id

SELECT id, email FROM users WHERE id <= 2 ^ 2 ORDER BY id

SELECT id, email FROM users WHERE id >= 4 IS NOT TRUE ORDER BY id

SELECT id, email FROM users WHERE id NOT BETWEEN 2 AND 4 ORDER BY id

SELECT id, email FROM users WHERE id >= ALL (ARRAY[2, 4]) ORDER BY id

SELECT id, email FROM users WHERE id >= (SELECT 4) ORDER BY id

SELECT id, email FROM users WHERE id IN (2, 4) ORDER BY id

SELECT id, email FROM users WHERE id < 3 IS DISTINCT FROM true ORDER BY id

-- params: 'bob@example.com'
SELECT id FROM users WHERE email = ? IS FALSE ORDER BY id

-- params: 'BOB@EXAMPLE.COM'
SELECT id FROM users WHERE lower(?) = lower(email)

-- params: 4
SELECT id, email FROM users WHERE id >= ? IS NOT TRUE ORDER BY id

-- params: 2, 4
SELECT id, email FROM users WHERE id BETWEEN ? AND ? IS FALSE ORDER BY id

-- params: 'bob@example.com'
SELECT id FROM users WHERE email = ? ISNULL ORDER BY id

UPDATE users SET name = 'x' FROM user_archive a WHERE email = 'bob@example.com'

DELETE FROM users USING user_archive a WHERE email = 'bob@example.com'

UPDATE users SET name = 'x' FROM (SELECT 'bob@example.com'::text AS email) s WHERE email = 'bob@example.com' RETURNING users.id

DELETE FROM users USING (SELECT 'dee@example.com'::text AS email) s WHERE email = 'dee@example.com' RETURNING users.id

UPDATE users SET name = 'x' FROM user_archive a WHERE email IN ('bob@example.com', 'ann@example.com')

UPDATE users SET name = 'y' FROM user_archive a WHERE lower(email) = lower('BOB@example.com')

-- params: 'bob@example.com'
UPDATE users SET name = 'x' FROM user_archive a WHERE email = ?

UPDATE users SET email = 'new@x' FROM user_archive a WHERE email = 'bob@example.com'

INSERT INTO users (id, name, email) VALUES (9, 'n', 'bob@example.com') ON CONFLICT (email) DO NOTHING

INSERT INTO users (id, name, email) VALUES (9, 'n', 'bob@example.com') ON CONFLICT (email) DO UPDATE SET name = 'x'

INSERT INTO users (id, name, email) VALUES (9, 'n', 'bob@example.com') ON CONFLICT (lower(email)) DO NOTHING

INSERT INTO users (id, name, email) VALUES (1, 'n', 'z@x') ON CONFLICT (id) WHERE email IS NOT NULL DO NOTHING

INSERT INTO users (id, name, email) VALUES (1, 'n', 'z@x') ON CONFLICT (id) WHERE email IS NULL DO UPDATE SET email = EXCLUDED.email RETURNING *

INSERT INTO users (id, name, email) VALUES (1, 'n', 'z@x') ON CONFLICT (id, email) DO NOTHING

INSERT INTO users (id, name, email) VALUES (9, 'n', 'z@x') ON CONFLICT ON CONSTRAINT users_email_key DO NOTHING

INSERT INTO users (id, name, email) VALUES (2, 'n', 'z@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE EXCLUDED.email <> users.email RETURNING id, email

INSERT INTO users (id, name, email) VALUES (2, 'n', 'z@x') ON CONFLICT (id) DO UPDATE SET (name, email) = (EXCLUDED.name, EXCLUDED.email) RETURNING *

INSERT INTO users (id, name, email) VALUES (2, 'n', 'z@x') ON CONFLICT (id) DO UPDATE SET (name, email) = (SELECT EXCLUDED.name, lower(EXCLUDED.email)) RETURNING *

INSERT INTO users AS u (id, name, email) VALUES (3, 'n', 'z@x') ON CONFLICT (id) DO UPDATE SET email = COALESCE(u.email, EXCLUDED.email) || '#' RETURNING u.email, EXCLUDED.email IS NULL

-- params: 2, 'n', 'p@x', 'q@x', 'm'
INSERT INTO users VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = ?, name = ? RETURNING email, name

-- params: 'p@x', 2, 'm'
INSERT INTO users (email, id, name) VALUES (lower(?), ?, ?) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name || EXCLUDED.email RETURNING *

-- params: 9, 'ab@x', 'a', 10, 'b'
INSERT INTO users (id, email, name) VALUES (?, ?, ?), (?, DEFAULT, ?) RETURNING id, email, name

-- params: 'u@x', 'nm', 1
UPDATE users SET (email, name) = (?, ?) WHERE id = ? RETURNING *

-- params: 'nm', 'u@x', 2
UPDATE users SET (name, email) = (SELECT ?, ?) WHERE id = ? RETURNING email

-- params: 'nm', 'z@x', 'bob@example.com', 'tag'
UPDATE users SET name = ?, email = ? WHERE email = ? RETURNING ?::text AS tag, email, name

-- params: 'bob@example.com', 'tag'
DELETE FROM users WHERE email = ? RETURNING ?::text AS t, email

-- params: 'w@x', 2
WITH p AS (SELECT ?::text AS e) UPDATE users SET email = (SELECT e FROM p) WHERE id = ? RETURNING email

-- params: 'bob@example.com'
SELECT id, '?' AS q FROM users WHERE email = ? -- ?

-- params: 'bob@example.com'
SELECT id, $$?$$ AS q, E'\'?' AS r, /* ? */ email AS "?" FROM users WHERE email = ?

-- params: 'bob@example.com'
SELECT u.id FROM users u WHERE to_jsonb(u) ?? 'email' AND u.email = ?

-- params: 2
SELECT jsonb_build_object('e', email) ?? 'e' AS has, jsonb_build_object('e', email) ??| ARRAY['e', 'f'] AS anyof, email FROM users WHERE id = ?

-- params: 1
SELECT jsonb_build_object('e', email) - 'x' ?? 'e', email FROM users WHERE id >= ? ORDER BY id

-- params: NULL, NULL
SELECT id FROM users WHERE (?::text IS NULL OR email = ?) ORDER BY id

-- params: 'bob@example.com', 'bob@example.com'
SELECT id FROM users WHERE (?::text IS NULL OR email = ?) ORDER BY id

-- params: NULL
SELECT id FROM users WHERE email = coalesce(?, email) ORDER BY id

-- params: 2
SELECT email FROM users ORDER BY id FETCH FIRST ? ROWS ONLY

-- params: 1
SELECT id, email FROM users ORDER BY email NULLS FIRST FETCH FIRST ? ROWS WITH TIES

-- params: 'bob@example.com', 3
SELECT id, email FROM users WHERE email <> ? ORDER BY id LIMIT ?::int

-- params: 2
SELECT email FROM users WHERE id IN (SELECT ?::bigint)

-- params: 'x@x', 3, 'y'
INSERT INTO users (email, id, name) SELECT ?, ?, ? WHERE true RETURNING *

-- params: 9, 'b@x'
MERGE INTO users u USING (VALUES (?::bigint, ?::text)) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'm', v.e)

SELECT o.id FROM orders o WHERE o.note NOT IN (SELECT email FROM users WHERE email IS NOT NULL) ORDER BY o.id

SELECT o.id FROM orders o WHERE o.note NOT IN (SELECT email FROM users) ORDER BY o.id

SELECT id FROM users WHERE email NOT IN (SELECT note FROM orders WHERE note IS NOT NULL) ORDER BY id

SELECT email::text::text FROM users WHERE id = 1

SELECT CAST(CAST(email AS text) AS text) AS e FROM users WHERE id = 2

SELECT s.e::text FROM (SELECT email::text AS e FROM users) s ORDER BY 1 NULLS FIRST

SELECT (s.e)::text AS m, s.e::varchar AS v FROM (SELECT users.email::text AS e, id FROM users) s ORDER BY s.id

SELECT text(email) FROM users WHERE id = 1

SELECT pg_catalog.text(email) AS t, varchar(email) AS v FROM users WHERE id = 2

SELECT email first FROM users WHERE id = 1

SELECT email last FROM users WHERE id = 2

SELECT email nulls FROM users WHERE id = 4

SELECT email asc FROM users WHERE id = 1

SELECT email desc FROM users WHERE id = 1

SELECT email time FROM users WHERE id = 1

SELECT email zone FROM users WHERE id = 1

SELECT email local FROM users WHERE id = 1

SELECT email unknown FROM users WHERE id = 1

SELECT email interval FROM users WHERE id = 1

SELECT email default FROM users WHERE id = 1

SELECT email at FROM users WHERE id = 1

SELECT email year FROM users WHERE id = 1

SELECT id, email without FROM users WHERE id = 1

SELECT email filter FROM users WHERE id = 1

SELECT ALL email FROM users ORDER BY 1 NULLS LAST

SELECT ALL id, email FROM users WHERE id < 3 ORDER BY id

SELECT email, email::varchar AS email, email::text AS email FROM users WHERE id = 1

SELECT email AS e, email::text::text AS e FROM users WHERE id = 2

SELECT u.email::text FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

WITH c AS (SELECT email::text AS e FROM users) SELECT e::text FROM c ORDER BY 1

SELECT x.first FROM (SELECT email first FROM users) x ORDER BY 1

SELECT * FROM (SELECT email last, id FROM users) x ORDER BY id

UPDATE users SET name = 'r' WHERE id = 1 RETURNING email::text::text

UPDATE users SET email = 'q@x' WHERE id = 2 RETURNING text(email), email first

DELETE FROM users WHERE id = 4 RETURNING email last, id

INSERT INTO users (id, name, email) VALUES (60, 'n', 'n@x') RETURNING email::text::text, text(email)

SELECT email::text AS "email", name::text::text FROM users WHERE id = 1

SELECT (email)::text::text FROM users WHERE id = 1 FOR UPDATE

SELECT email::text COLLATE "default" FROM users WHERE id = 1

SELECT email::"text" FROM users WHERE id = 1

SELECT email::pg_catalog.text::pg_catalog.text FROM users WHERE id = 1

SELECT email FROM users u CROSS JOIN jsonb_to_record('{"email": "j@x"}') AS r(email text)

SELECT u.id FROM users u, LATERAL json_to_record('{"email": "j@x"}') AS r(email text) WHERE email = 'bob@example.com'

SELECT email FROM users u, jsonb_populate_record(NULL::user_archive, '{"email": "p@x"}') r

SELECT email FROM users u, LATERAL (SELECT u.*) s

WITH c(email) AS (SELECT 1) SELECT email FROM users, c

WITH c AS (SELECT 1 AS x) SELECT email FROM users, c AS c2(email)

SELECT email FROM users, (SELECT 1) s(email)

SELECT u.id, email FROM users u, JSON_TABLE('{"e": "jt@x"}', '$' COLUMNS (email text PATH '$.e')) jt

SELECT email FROM users u, XMLTABLE('/r' PASSING '<r><e>x@x</e></r>'::xml COLUMNS email text PATH 'e') x

CREATE TEMP TABLE tt (email text); SELECT email FROM users, tt

ALTER TABLE orders ADD COLUMN email text; SELECT email FROM users JOIN orders ON orders.user_id = users.id ORDER BY orders.id

SELECT 1::bigint AS id, 'T'::text AS name, 'temp@x'::text AS email INTO TEMP users; SELECT email FROM users; DISCARD TEMP

CREATE TEMP TABLE users AS SELECT 1::bigint AS id, 'T'::text AS name, 'temp@x'::text AS email; SELECT id, email FROM users; DISCARD TEMP

CREATE SCHEMA tenant; CREATE TABLE tenant.users (id bigint, name text, email text); INSERT INTO tenant.users VALUES (1, 't', 'tenant@x'); SET LOCAL search_path = tenant; SELECT id, email FROM users; SET LOCAL search_path = "$user", public

CREATE SCHEMA tenant; CREATE TABLE tenant.users (id bigint, name text, email text); INSERT INTO tenant.users VALUES (1, 't', 'tenant@x'); SELECT set_config('search_path', 'tenant', true); UPDATE users SET email = 'changed@x' WHERE id = 1 RETURNING email; SET LOCAL search_path = "$user", public

CREATE SCHEMA tenant; CREATE TABLE tenant.users (id bigint, name text, email text); SET LOCAL search_path = tenant, public; INSERT INTO users VALUES (1, 't', 'tenant@x') RETURNING *; SET LOCAL search_path = "$user", public

CREATE SCHEMA tenant; CREATE TABLE tenant.users (id bigint, name text, email text); INSERT INTO tenant.users VALUES (1, 't', 'tenant@x'); SELECT u.email, t.email FROM public.users u JOIN tenant.users t USING (id)

CREATE SCHEMA tenant; CREATE TABLE tenant.users (id bigint, name text, email text); INSERT INTO tenant.users VALUES (2, 't', 'tenant@x'); SELECT email FROM tenant.users

SELECT first.email FROM users first WHERE first.id = 1

SELECT year.email FROM users AS year WHERE year.id = 2

SELECT zone.email, zone.id FROM users zone ORDER BY zone.id

SELECT time.email FROM users time WHERE time.id = 4

UPDATE users AS first SET email = upper(first.email) WHERE first.id = 1 RETURNING first.email

DELETE FROM users AS last WHERE last.email LIKE 'b%' RETURNING last.id

SELECT x.text FROM (SELECT text(email) FROM users) x ORDER BY 1

SELECT e FROM (SELECT email FROM users) s(e) ORDER BY 1

CREATE TEMP TABLE tt (email text); INSERT INTO tt VALUES ('tt@x'); SELECT id, (SELECT email FROM tt) AS e FROM users ORDER BY id

CREATE TEMP TABLE tt (LIKE user_archive); SELECT email FROM users, tt

CREATE TEMP TABLE tt AS TABLE user_archive; SELECT email FROM users, tt

CREATE TEMP VIEW vv AS SELECT 'v@x'::text AS email; SELECT id, (SELECT email FROM vv) AS e FROM users ORDER BY id

SELECT 'x'::text AS email INTO TEMP tt; SELECT id, (SELECT email FROM tt) FROM users ORDER BY id

CREATE TEMP TABLE tt (id bigint, email text); INSERT INTO tt VALUES (1, 'tt@x'); SELECT email FROM users JOIN tt USING (id)

CREATE TEMP TABLE tt (email text); INSERT INTO tt VALUES ('tt@x'); UPDATE users SET name = (SELECT email FROM tt) WHERE id = 1; SELECT name FROM users WHERE id = 1

CREATE TEMP TABLE tt (email text); INSERT INTO tt VALUES ('bob@example.com'); DELETE FROM users WHERE id IN (SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM tt WHERE email = 'bob@example.com')); SELECT count(*) FROM users

SELECT 1::bigint AS id, 'T'::text AS name, 'temp@x'::text AS email INTO TEMPORARY TABLE users; SELECT id, email FROM users; DISCARD TEMP

SELECT 1::bigint AS id, 'T'::text AS name, 'temp@x'::text AS email INTO pg_temp.users; SELECT id, email FROM users; DISCARD TEMP

CREATE TEMP TABLE "users" AS SELECT 1::bigint AS id, 'T'::text AS name, 'temp@x'::text AS email; SELECT id, email FROM users; DISCARD TEMP

CREATE TEMP TABLE u2 (id bigint, name text, email text); ALTER TABLE u2 RENAME TO users; SELECT count(*), max(email) FROM users; DISCARD TEMP

CREATE TEMP TABLE tt (id bigint, email text); INSERT INTO tt VALUES (2, 'tt@x'); SELECT u.id, (SELECT email FROM tt WHERE tt.id = u.id) FROM users u ORDER BY u.id

WITH x AS (SELECT 1) SELECT 'w@x'::text AS email INTO TEMP tt FROM x; SELECT id, (SELECT email FROM tt) FROM users ORDER BY id

SELECT id, CASE WHEN id = 1 THEN 'zzz' ELSE name END email FROM users ORDER BY email

SELECT id, true email FROM users ORDER BY email, id

SELECT id, NULL email FROM users ORDER BY email, id

SELECT id, false email FROM users ORDER BY email DESC, id

SELECT id, 1::double precision email FROM users ORDER BY email, id

SELECT id, name::character varying email FROM users ORDER BY email

SELECT DISTINCT ON (email) CASE WHEN true THEN name END email, id FROM users ORDER BY email, id

SELECT id, CASE WHEN id = 2 THEN 'a' ELSE name END email FROM users ORDER BY email NULLS FIRST, id LIMIT 3

SELECT id, CASE id WHEN 1 THEN 'zzz' END email FROM users ORDER BY email, id

SELECT email::text OPERATOR(pg_catalog.||) u.name FROM users u WHERE id = 1

SELECT email COLLATE "C" OPERATOR(pg_catalog.||) u.name FROM users u WHERE id = 2

SELECT u.email::text OPERATOR(pg_catalog.=) u.name FROM users u WHERE id = 1

SELECT id, name::varchar(10) email FROM users ORDER BY email

SELECT id, 'x'::text email FROM users ORDER BY email, id

SELECT id, CASE WHEN id = 1 THEN 'zzz' ELSE name END email FROM users WHERE id < 4 ORDER BY email FOR UPDATE

WITH c AS (SELECT id, CASE WHEN id = 1 THEN 'zzz' ELSE name END email FROM users) SELECT id, email FROM c ORDER BY email

SELECT id, true email FROM users WHERE email IS NOT NULL ORDER BY email, id

UPDATE users u SET name = 'n' WHERE id = 1 RETURNING u.email::text OPERATOR(pg_catalog.||) u.name

SELECT s.* FROM (SELECT email::text OPERATOR(pg_catalog.||) u.name, u.id FROM users u) s ORDER BY s.id

CREATE TEMP TABLE t5 AS SELECT email::text OPERATOR(pg_catalog.||) u.name FROM users u; SELECT * FROM t5 ORDER BY 1 NULLS FIRST

SELECT id, email FROM users WHERE id = 1 UNION ALL SELECT id, email FROM user_archive ORDER BY 2 NULLS FIRST, 1

(SELECT email FROM users WHERE id = 2) UNION (SELECT address FROM email_address WHERE NOT is_primary) ORDER BY 1

SELECT email FROM users EXCEPT SELECT address FROM email_address WHERE is_primary ORDER BY 1

SELECT email FROM users WHERE id IN (1, 2) INTERSECT ALL SELECT email FROM users WHERE id >= 2 ORDER BY email

SELECT * FROM (VALUES (1::bigint, 'a'), (2::bigint, 'b')) v(k, tag) JOIN users u ON u.id = v.k WHERE u.email LIKE '%@%' ORDER BY v.k

SELECT u.id, w.rn FROM users u, LATERAL (SELECT row_number() OVER (ORDER BY u.email) AS rn) w ORDER BY u.id

SELECT id, email, dense_rank() OVER (ORDER BY lower(email) NULLS FIRST) AS r FROM users ORDER BY r, id

SELECT id, count(*) OVER (ORDER BY email GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM users ORDER BY id

SELECT id, last_value(email) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) FROM users ORDER BY id

SELECT DISTINCT ON (split_part(email, '@', 2)) split_part(email, '@', 2) AS d, id FROM users ORDER BY split_part(email, '@', 2), id

SELECT id, email FROM users ORDER BY lower(email) NULLS LAST FETCH FIRST 1 ROW WITH TIES

SELECT email FROM users ORDER BY id OFFSET 2 LIMIT ALL

SELECT json_agg(email ORDER BY id) FILTER (WHERE email IS NOT NULL), jsonb_object_agg(id, email ORDER BY id) FROM users

SELECT row_to_json(t) FROM (SELECT id, email, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u) t ORDER BY 1

SELECT string_agg(DISTINCT lower(email), ' | ' ORDER BY lower(email)) FROM users

SELECT split_part(email, '@', 2) AS domain, count(*) FROM users GROUP BY GROUPING SETS ((split_part(email, '@', 2)), ()) ORDER BY 1 NULLS FIRST, 2

SELECT lower(email), count(*) FROM users GROUP BY 1 HAVING lower(email) LIKE '%e%' ORDER BY 1

SELECT email || '' AS e FROM users GROUP BY email ORDER BY 1 NULLS FIRST

SELECT email FROM users WHERE id = 2 FOR KEY SHARE OF users SKIP LOCKED

SELECT u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = 102 FOR SHARE OF u NOWAIT

SELECT email FROM users WHERE email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.note = users.email) ORDER BY 1

SELECT id FROM users WHERE email NOT IN (SELECT address FROM email_address WHERE user_id = 1) ORDER BY id

UPDATE users SET email = lower(email) WHERE id = 5 RETURNING email IS DISTINCT FROM 'eve@example.com' AS changed, length(email) AS n, email ~~ 'eve%' AS l

DELETE FROM users WHERE email SIMILAR TO 'd%' RETURNING id, coalesce(email, '-') AS e

INSERT INTO users (id, name, email) VALUES (61, 'n', E'esc\\@x') RETURNING email, octet_length(email)

INSERT INTO users (id, name, email) VALUES (62, 'n', U&'uni\00e9@x') RETURNING email

INSERT INTO users (id, name, email) VALUES (63, 'n', $q$dq'@x$q$) ON CONFLICT ON CONSTRAINT users_pkey DO NOTHING RETURNING email

-- params: 64, 'p@x'
INSERT INTO users (id, name, email) VALUES (?, 'n', ?::varchar(3)) RETURNING email

-- params: 'bob@example.com', 1
SELECT id, email FROM users WHERE email IS NOT DISTINCT FROM ? OR id = ? ORDER BY id

-- params: 2
SELECT email FROM users ORDER BY id LIMIT ? OFFSET 1

SELECT email FROM users WHERE id = 1 /* trailing ; comment */

SELECT email -- a comment with 'quote
FROM users WHERE id = 4

SELECT "users"."EMAIL" FROM users WHERE id = 1

CREATE TEMP TABLE tt (id bigint, email text); INSERT INTO tt VALUES (1, 'ann@example.com'), (2, 'nope@x'); SELECT id FROM users NATURAL JOIN tt ORDER BY id

CREATE TEMP TABLE tt (id bigint, email text); INSERT INTO tt VALUES (1, 'ann@example.com'), (2, 'nope@x'); SELECT count(*) FROM users JOIN tt USING (id, email)

CREATE TEMP TABLE tt (id bigint, email text); INSERT INTO tt VALUES (1, 'ann@example.com'), (2, 'nope@x'); DELETE FROM tt USING users WHERE tt.id = users.id AND tt.email = users.email; SELECT id FROM tt ORDER BY id

SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND EXISTS (SELECT 1 FROM users v WHERE v.id <> o.user_id AND v.email > u.email)) ORDER BY u.id

SELECT id, (SELECT (SELECT email) FROM orders o WHERE o.user_id = u.id ORDER BY o.id LIMIT 1) AS e FROM users u ORDER BY id

SELECT id, (SELECT x.e FROM (SELECT u.email AS e) x) FROM users u ORDER BY id

SELECT id, (SELECT string_agg(v.email, ',' ORDER BY v.id) FROM users v WHERE v.email < u.email) FROM users u ORDER BY id

SELECT o.id, (SELECT email FROM users WHERE id = o.user_id) AS email FROM orders o WHERE (SELECT email FROM users WHERE id = o.user_id) LIKE 'b%' ORDER BY o.id

SELECT id FROM users u WHERE email = (SELECT max(email) FROM users v WHERE v.id <= u.id) ORDER BY id

SELECT id FROM users u WHERE (SELECT email FROM users v WHERE v.id = u.id + 1) IS NULL ORDER BY id

SELECT u.id FROM users u WHERE u.email IN (SELECT email FROM orders o WHERE o.user_id = u.id)

SELECT u.id FROM users u WHERE 'bob@example.com' = ANY (SELECT email FROM users v WHERE v.id = u.id)

SELECT id FROM users u WHERE u.email >= ALL (SELECT v.email FROM users v WHERE v.email IS NOT NULL)

SELECT id FROM orders WHERE 'x' NOT IN (SELECT email FROM users)

SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id AND u.email IS NULL) ORDER BY o.id

SELECT user_id, count(*) FROM orders o GROUP BY user_id HAVING (SELECT email FROM users WHERE id = o.user_id) LIKE '%example%' ORDER BY 1

SELECT o.id FROM orders o ORDER BY (SELECT email FROM users u WHERE u.id = o.user_id) DESC, o.id

SELECT u.id, t.p, t.n FROM users u, LATERAL regexp_split_to_table(u.email, '@') WITH ORDINALITY AS t(p, n) ORDER BY u.id, t.n

SELECT u.id, s FROM users u CROSS JOIN LATERAL unnest(string_to_array(email, '@')) AS s ORDER BY u.id, s

SELECT u.id, e FROM users u, LATERAL (SELECT email AS e UNION ALL SELECT upper(email)) l ORDER BY u.id, e

SELECT u.id, l2.x FROM users u, LATERAL (SELECT u.email AS e) l1, LATERAL (SELECT l1.e || '!' AS x) l2 ORDER BY u.id

SELECT a.id, b.id FROM users a JOIN users b ON a.email = lower(b.email) ORDER BY 1, 2

SELECT email FROM users a JOIN users b ON a.id = b.id

SELECT a.email, b.email FROM users a JOIN users b ON b.id = a.id + 1 WHERE a.email < b.email ORDER BY a.id

INSERT INTO user_archive VALUES (1, 'x', 'ann@example.com'), (2, 'y', 'other@x'); SELECT u.id, a.email, u.email FROM users u LEFT JOIN user_archive a ON a.id = u.id ORDER BY u.id

INSERT INTO user_archive VALUES (1, 'x', 'ann@example.com'), (2, 'y', 'other@x'); SELECT email FROM user_archive a WHERE EXISTS (SELECT 1 FROM users u WHERE u.email = a.email)

INSERT INTO user_archive VALUES (1, 'x', 'ann@example.com'), (2, 'y', 'other@x'); SELECT a.id FROM user_archive a WHERE EXISTS (SELECT 1 FROM users u WHERE email = a.email)

INSERT INTO user_archive VALUES (7, 'x', 'zz@x'); SELECT u.id, (SELECT email FROM user_archive a WHERE a.id = 7) FROM users u ORDER BY 1

INSERT INTO user_archive VALUES (7, 'x', 'zz@x'); SELECT u.id, (SELECT email FROM user_archive a WHERE a.id = u.id + 6) FROM users u ORDER BY 1

SELECT (SELECT email FROM orders users WHERE users.user_id = u.id ORDER BY users.id LIMIT 1) FROM users u ORDER BY u.id

SELECT orders.email FROM users orders WHERE orders.id = 1

SELECT orders.email, o.id FROM users orders JOIN orders o ON o.user_id = orders.id ORDER BY o.id

SELECT users.email FROM (SELECT id, upper(email) AS email FROM users) users ORDER BY users.id

SELECT email FROM (SELECT id, email FROM users WHERE id < 3) AS users ORDER BY id

SELECT (SELECT public.users.email) FROM public.users ORDER BY public.users.id

SELECT "u"."email" FROM "users" AS "u" WHERE "u"."id" = 2

SELECT "Users".email FROM users "Users" WHERE "Users".id = 4

SELECT u.id, u.email, count(o.id) FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id

SELECT u.email, count(*) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING u.email LIKE 'b%'

SELECT o.id, sum(o.amount) OVER (PARTITION BY u.email) FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id

SELECT DISTINCT ON (u.email) u.email, o.id FROM users u JOIN orders o ON o.user_id = u.id ORDER BY u.email, o.id DESC

SELECT u.name AS email FROM users u JOIN orders o ON o.user_id = u.id ORDER BY email, o.id

SELECT u.email FROM users u INTERSECT SELECT a.email FROM user_archive a

SELECT v.k, u.email FROM (VALUES (1), (3), (9)) v(k) LEFT JOIN users u ON u.id = v.k ORDER BY v.k

SELECT * FROM (VALUES ('ann@example.com'), ('nobody@x')) v(email) LEFT JOIN users u USING (email) ORDER BY 1

SELECT id FROM users WHERE (id, email) = (SELECT 2::bigint, 'bob@example.com')

SELECT ARRAY(SELECT v.email FROM users v WHERE v.id <= u.id ORDER BY v.id) FROM users u ORDER BY u.id

SELECT id FROM users WHERE email = ANY (ARRAY(SELECT address FROM email_address WHERE NOT is_primary UNION SELECT 'bob@example.com')) ORDER BY id

SELECT json_agg(row_to_json(s) ORDER BY s.id) FROM (SELECT id, email FROM users WHERE email LIKE '%example%') s

SELECT u.id, (SELECT row_to_json(x) FROM (SELECT u.email, o.amount FROM orders o WHERE o.user_id = u.id ORDER BY o.id LIMIT 1) x) FROM users u ORDER BY u.id

SELECT u.email, o.id FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id FOR UPDATE OF o

SELECT u.email FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id = 3 FOR UPDATE OF u

DECLARE c1 CURSOR FOR SELECT u.id, (SELECT v.email FROM users v WHERE v.id = u.id) FROM users u ORDER BY u.id; FETCH 2 FROM c1; FETCH 2 FROM c1

DECLARE c2 SCROLL CURSOR FOR SELECT email FROM users ORDER BY id; FETCH LAST FROM c2; FETCH PRIOR FROM c2

-- params: 'bob@example.com'
SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE v.email = ? AND v.id = u.id)

-- params: 2
SELECT id, (SELECT email FROM users v WHERE v.id = u.id + ?) FROM users u ORDER BY id

-- params: '@'
SELECT u.id, l.p FROM users u, LATERAL (SELECT split_part(u.email, ?, 1) AS p) l ORDER BY u.id

-- params: 'x'
SELECT coalesce(email, ?) AS email FROM users ORDER BY email

-- params: 'bob@example.com'
SELECT ? IN (SELECT email FROM users)

-- params: 'b%'
SELECT count(*) FILTER (WHERE email LIKE ?) FROM users

WITH RECURSIVE r(id, e) AS (SELECT id, email FROM users WHERE id = 5 UNION ALL SELECT u.id, u.email FROM users u, r WHERE u.id = r.id - 1 AND r.e IS NOT NULL) SELECT * FROM r ORDER BY id

WITH RECURSIVE r AS (SELECT 1::bigint AS id UNION ALL SELECT r.id + 1 FROM r JOIN users u ON u.id = r.id WHERE u.email IS NOT NULL) SELECT * FROM r ORDER BY id

WITH x(a, b) AS (SELECT email, id FROM users) SELECT a FROM x WHERE b > 2 ORDER BY b

WITH x AS (SELECT id, email AS e FROM users), y AS (SELECT e AS email, id FROM x) SELECT email FROM y ORDER BY id

WITH users AS (SELECT id, upper(email) AS email FROM public.users) SELECT email FROM users ORDER BY id

WITH users AS (SELECT id, name FROM public.users) SELECT (SELECT email FROM public.users p WHERE p.id = users.id) FROM users ORDER BY id

SELECT (SELECT email FROM (SELECT 'inner' AS email) s WHERE u.email IS NOT NULL) FROM users u ORDER BY u.id

INSERT INTO user_archive VALUES (1, 'Ann', 'ann@example.com'), (2, 'Bob', 'other'); SELECT * FROM users NATURAL JOIN user_archive

INSERT INTO user_archive VALUES (1, 'A', 'ann@example.com'); SELECT email, u.id FROM users u JOIN user_archive a USING (email)

INSERT INTO user_archive VALUES (9, 'Z', 'bob@example.com'); SELECT * FROM users u FULL JOIN user_archive a USING (email) ORDER BY u.id, a.id

SELECT id, email, lead(email) OVER (PARTITION BY split_part(email, '@', 2) ORDER BY id) FROM users ORDER BY id

SELECT DISTINCT email FROM users ORDER BY lower(email)

SELECT email FROM users u GROUP BY email HAVING EXISTS (SELECT 1 FROM email_address e WHERE e.address = u.email) ORDER BY 1

SELECT email FROM users GROUP BY name

SELECT u.email FROM users u GROUP BY u.id, u.name ORDER BY 1

SELECT email FROM users u JOIN orders o ON o.user_id = u.id GROUP BY o.id ORDER BY o.id

SELECT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id, o.id ORDER BY o.id

SELECT (SELECT json_agg(v.email ORDER BY v.id) FROM users v WHERE v.email LIKE '%' || split_part(u.email, '@', 2)) FROM users u ORDER BY u.id

SELECT row_to_json(s) FROM (SELECT u.*, o.amount FROM users u JOIN orders o ON o.user_id = u.id) s ORDER BY s.amount

SELECT email FROM (VALUES ('ann@example.com'), ('nobody@x')) v(email) LEFT JOIN users u USING (email) ORDER BY 1

SELECT * FROM users u RIGHT JOIN (VALUES ('ann@example.com'), ('nobody@x')) v(email) USING (email) ORDER BY 1

SELECT u.*, email FROM users u FULL JOIN user_archive a USING (email) ORDER BY u.id

SELECT * FROM user_archive a JOIN users u USING (email)

SELECT email FROM user_archive a RIGHT JOIN users u USING (email) ORDER BY u.id

INSERT INTO user_archive VALUES (1, 'Ann', 'ann@example.com'), (8, 'Zed', 'zed@x'); SELECT * FROM user_archive a NATURAL FULL JOIN users u ORDER BY id, name

SELECT * FROM users u NATURAL RIGHT JOIN user_archive a

SELECT * FROM (SELECT 'bob@example.com'::text AS email) s JOIN users USING (email)

SELECT * FROM orders o JOIN users u ON u.id = o.user_id JOIN (VALUES ('bob@example.com')) v(email) USING (email) ORDER BY o.id

SELECT x.email, x.id FROM (VALUES ('ann@example.com')) v(email) JOIN users u USING (email) AS x

INSERT INTO user_archive VALUES (1, 'x', 'ann@example.com'), (2, 'y', 'ann@example.com'); SELECT id, (SELECT count(*) FROM user_archive WHERE email = users.email) FROM users ORDER BY id

INSERT INTO user_archive VALUES (1, 'x', 'ann@example.com'), (2, 'y', 'z@x'); SELECT u.id FROM users u WHERE u.id IN (SELECT id FROM user_archive WHERE email = u.email)

SELECT u.id, l.c FROM users u LEFT JOIN LATERAL (SELECT count(*) AS c FROM orders o WHERE o.note = u.email OR o.user_id = u.id HAVING count(*) > 0) l ON true ORDER BY u.id

SELECT u.id, (SELECT count(*) FROM orders o GROUP BY o.user_id HAVING o.user_id = u.id AND u.email IS NOT NULL) FROM users u ORDER BY u.id

SELECT u.id, (SELECT o.id FROM orders o ORDER BY o.note = u.email, o.id LIMIT 1) FROM users u ORDER BY u.id

SELECT (SELECT max(u.email) FROM orders o WHERE o.id = 100) FROM users u

SELECT (SELECT count(u.email) FROM orders o WHERE o.id = 100) FROM users u

SELECT u.id FROM users u GROUP BY u.id HAVING (SELECT count(*) FROM orders o WHERE o.note < u.email) > 0 ORDER BY 1

SELECT u.email, (SELECT count(*) FROM orders o WHERE o.user_id = u.id) FROM users u GROUP BY u.email ORDER BY 1

SELECT u.email, (SELECT count(*) FROM orders o WHERE o.user_id = max(u.id)) FROM users u GROUP BY u.email ORDER BY 1 NULLS FIRST

SELECT email, count(*) FROM users GROUP BY email ORDER BY (SELECT count(*) FROM orders WHERE note < email), email

SELECT id FROM users u WHERE ROW(u.id, u.email) = ANY (SELECT v.id, lower(v.email) FROM users v) ORDER BY id

SELECT id FROM users WHERE (email, name) <> ALL (SELECT email, name FROM user_archive) ORDER BY id

SELECT id FROM users WHERE email = ANY (SELECT array_agg(v.email) FROM users v)

SELECT id FROM users WHERE email = ANY ((SELECT array_agg(v.email) FROM users v)::text[]) ORDER BY id

SELECT (ARRAY(SELECT email FROM users ORDER BY id))[2] AS second

SELECT unnest(ARRAY[email, name]) AS v FROM users ORDER BY 1

SELECT json_build_object('u', (SELECT row_to_json(x) FROM (SELECT v.email FROM users v WHERE v.id = o.user_id) x)) FROM orders o ORDER BY o.id

SELECT jsonb_agg(x) FROM (SELECT email AS mail FROM users ORDER BY id) x

SELECT json_agg(DISTINCT email) FROM users

WITH x AS (SELECT * FROM users) SELECT * FROM x NATURAL JOIN users ORDER BY id

WITH x(id, mail) AS (SELECT id, email FROM users) SELECT x.mail, u.email FROM x JOIN users u USING (id) ORDER BY id

WITH email AS (SELECT email FROM users) SELECT email FROM email ORDER BY 1

WITH e AS (SELECT email FROM users) SELECT e.email FROM e, users WHERE e.email = users.email ORDER BY 1

WITH RECURSIVE r(id, mail, path) AS (SELECT id, email, email FROM users WHERE id = 1 UNION ALL SELECT u.id, u.email, r.path || '>' || coalesce(u.email, '?') FROM users u JOIN r ON u.id = r.id + 1) SELECT id, path FROM r ORDER BY id

WITH RECURSIVE r(id, email) AS (SELECT 0::bigint, 'start' UNION ALL SELECT u.id, email FROM r JOIN users u ON u.id = r.id + 1) SELECT * FROM r ORDER BY id

WITH RECURSIVE r(id, e) AS (SELECT 0::bigint, 'start' UNION ALL SELECT u.id, email FROM r JOIN users u ON u.id = r.id + 1) SELECT * FROM r ORDER BY id

SELECT u.email, users.email FROM users u, users WHERE users.id = u.id + 1 ORDER BY u.id

SELECT email FROM users, orders WHERE orders.user_id = users.id ORDER BY orders.id

SELECT email FROM users, user_archive

SELECT u.id FROM users u JOIN users v ON v.email = u.email AND v.id = u.id ORDER BY 1

SELECT u.id, count(v.id) FROM users u LEFT JOIN users v ON split_part(v.email, '@', 2) = split_part(u.email, '@', 2) GROUP BY u.id ORDER BY u.id

-- params: 'bob@example.com'
SELECT u.id, (SELECT count(*) FROM users v WHERE v.email = ? AND v.id = u.id) FROM users u ORDER BY u.id

-- params: 1, 'x'
SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.id > ?::bigint + 98 AND u.email <> ?) ORDER BY id

-- params: 'ann@example.com'
SELECT * FROM (VALUES (?::text)) v(email) JOIN users USING (email)

-- params: 'ann@example.com'
SELECT id FROM users WHERE email = ANY (ARRAY[?::text, (SELECT email FROM users WHERE id = 2)]) ORDER BY id

-- params: 2
SELECT email FROM users ORDER BY email NULLS FIRST LIMIT ?

-- params: 'a', 'b'
SELECT CASE WHEN email LIKE ? || '%' THEN ? END AS k, id FROM users ORDER BY id

-- params: 'bob@example.com'
SELECT u.id FROM users u JOIN LATERAL (SELECT ?::text AS e) p ON p.e = u.email

-- params: 'bob@example.com', 'dee@example.com'
SELECT id FROM users WHERE (email = ?) OR (email IN (SELECT ?)) ORDER BY id

-- params: 1
DECLARE pc CURSOR FOR SELECT email FROM users WHERE id > ? ORDER BY id; FETCH 2 FROM pc

SELECT email FROM users WHERE id = 1 UNION ALL SELECT email FROM user_archive UNION ALL SELECT address FROM email_address WHERE NOT is_primary ORDER BY 1

(SELECT u.email FROM users u WHERE u.id = 2) UNION (SELECT a.email FROM user_archive a) EXCEPT SELECT 'nobody'

SELECT * FROM (SELECT email FROM users UNION SELECT email FROM user_archive) s WHERE s.email LIKE 'b%'

SELECT u.email FROM users u, LATERAL (SELECT o.id FROM orders o WHERE o.user_id = u.id ORDER BY o.id LIMIT 1) l WHERE u.id = 2 FOR UPDATE OF u

SELECT email FROM users WHERE id IN (SELECT user_id FROM orders) ORDER BY id FOR SHARE

SELECT a.email, b.email FROM users a JOIN users b ON b.id = a.id WHERE a.id = 1 FOR UPDATE OF a, b

SELECT s.email FROM (SELECT * FROM users) s WHERE s.id = 1 FOR UPDATE

SELECT email FROM users WHERE id = 1 FOR UPDATE OF users, orders

SELECT * FROM users u FULL JOIN users v USING (email) ORDER BY u.id, v.id

SELECT s.email FROM (SELECT * FROM (VALUES ('bob@example.com')) v(email) JOIN users USING (email)) s

WITH j AS (SELECT email FROM (VALUES ('bob@example.com'), ('nobody@x')) v(email) LEFT JOIN users USING (email)) SELECT email FROM j ORDER BY 1

SELECT email FROM (SELECT DISTINCT email FROM users) s ORDER BY 1

SELECT e FROM (SELECT email AS e FROM users GROUP BY email) s ORDER BY 1 NULLS FIRST

SELECT email FROM (SELECT max(email) AS email FROM users) s

SELECT email FROM (SELECT coalesce(email, 'none') AS email FROM users) s ORDER BY 1

SELECT u.id FROM users u, LATERAL (SELECT u.email) l(email) WHERE l.email IS NOT NULL ORDER BY 1

SELECT l.email FROM users u, LATERAL (SELECT upper(u.email) AS email) l ORDER BY u.id

SELECT email FROM users u, LATERAL (SELECT upper(u.email) AS email) l

SELECT email FROM orders o, LATERAL (SELECT u.email FROM users u WHERE u.id = o.user_id) l ORDER BY o.id

SELECT email FROM orders o LEFT JOIN LATERAL (SELECT upper(u.email) AS email FROM users u WHERE u.id = o.user_id) l ON true ORDER BY o.id

SELECT t.email FROM users u, LATERAL unnest(ARRAY[u.email, u.name]) WITH ORDINALITY AS t(email, n) ORDER BY u.id, t.n

SELECT id, email, first_value(id) OVER (PARTITION BY lower(email) ORDER BY id), count(*) OVER (ORDER BY email NULLS FIRST ROWS UNBOUNDED PRECEDING) FROM users ORDER BY id

SELECT email, sum(o.amount) OVER (PARTITION BY u.id) FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id

SELECT email, rank FROM (SELECT email, rank() OVER (ORDER BY email) AS rank FROM users) s WHERE rank <= 2 ORDER BY rank

SELECT u.*, o.id AS oid FROM users u JOIN orders o ON o.user_id = u.id ORDER BY 3, oid

SELECT * FROM users ORDER BY 3 NULLS FIRST

SELECT users.* FROM users ORDER BY users.email DESC NULLS LAST

SELECT id AS email, email AS id FROM users ORDER BY id NULLS FIRST, email

SELECT email AS e FROM users ORDER BY e || ''

SELECT DISTINCT ON (email) email AS e, id FROM users ORDER BY email, id

SELECT count(*) FROM users HAVING max(email) = (SELECT max(email) FROM users)

SELECT u.id FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id HAVING count(*) > 1 AND u.email LIKE '%@%' ORDER BY 1

SELECT name FROM users GROUP BY name HAVING bool_or(email IS NULL)

SELECT id FROM users WHERE (email, id) = ANY (SELECT address, user_id FROM email_address) ORDER BY id

SELECT id FROM users u WHERE (u.email, u.name) = (SELECT v.email, v.name FROM users v WHERE v.id = 2)

SELECT id FROM users WHERE (id, email) IS NOT DISTINCT FROM (3, NULL)

DECLARE c4 NO SCROLL CURSOR FOR SELECT u.id, u.email FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id; MOVE 1 FROM c4; FETCH NEXT FROM c4

DECLARE c5 CURSOR FOR SELECT * FROM users ORDER BY id; FETCH ABSOLUTE 3 FROM c5

SELECT p.email FROM public.users AS p JOIN public.orders o ON o.user_id = p.id ORDER BY o.id

SELECT (SELECT public.users.email FROM public.users WHERE public.users.id = o.user_id) FROM orders o ORDER BY o.id

SELECT "EMAIL" FROM (SELECT email AS "EMAIL" FROM users) s ORDER BY 1

SELECT 'users' AS src, email FROM users UNION ALL SELECT 'archive', email FROM user_archive ORDER BY 2 NULLS FIRST, 1

SELECT email FROM users INTERSECT SELECT email FROM users WHERE email LIKE '%example.com' EXCEPT SELECT 'bob@example.com' ORDER BY 1

SELECT u.id, u.email, sum(o.amount) FROM users u JOIN orders o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id

SELECT users.email, count(*) FROM users JOIN orders ON orders.user_id = users.id GROUP BY users.id ORDER BY users.id

SELECT u.email, count(*) FROM users u, orders o WHERE o.user_id = u.id GROUP BY 1 ORDER BY 1

SELECT email FROM users GROUP BY id HAVING count(*) = 1 ORDER BY email NULLS FIRST

SELECT row_to_json(x) FROM (SELECT u.id, u.email, (SELECT json_agg(o.id ORDER BY o.id) FROM orders o WHERE o.user_id = u.id) AS orders FROM users u) x ORDER BY x.id

SELECT to_json(s.*) FROM (SELECT email FROM users WHERE id = 2) s

SELECT jsonb_object_agg(coalesce(email, 'none'), id) FROM users

SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM users WHERE lower(o.note) < email AND id = o.user_id) ORDER BY o.id

-- params: 'bob@example.com', 2
SELECT id FROM users WHERE (email, id) = (?, ?)

-- params: 'ann@example.com'
SELECT id FROM users u WHERE u.email IN (SELECT address FROM email_address WHERE address <> ?) ORDER BY id

-- params: 'x'
SELECT email FROM users UNION ALL SELECT ? ORDER BY 1 NULLS FIRST

-- params: 1, 'ann@example.com'
SELECT u.id, l.ok FROM users u, LATERAL (SELECT u.id = ? AND u.email = ? AS ok) l ORDER BY u.id

-- params: 2
SELECT id, (SELECT email FROM users v ORDER BY v.id OFFSET ? LIMIT 1) FROM users ORDER BY id

-- params: 'bob@example.com'
WITH p(e) AS (SELECT ?::text) SELECT u.id FROM users u, p WHERE u.email = p.e

SELECT email FROM unnest(ARRAY['ann@example.com', 'nobody@x']) AS t(email) WHERE EXISTS (SELECT 1 FROM users u WHERE u.email = t.email) ORDER BY 1

SELECT t.email, u.id FROM unnest(ARRAY['ann@example.com', 'nobody@x']) AS t(email) LEFT JOIN users u ON u.email = t.email ORDER BY 1

SELECT v.email, u.id FROM (VALUES ('ann@example.com'), ('nobody@x')) v(email) LEFT JOIN users u ON u.email = v.email ORDER BY 1

-- params: 'ann@example.com'
SELECT t.email FROM unnest(ARRAY[?::text]) t(email) JOIN users u ON u.email = t.email

SELECT e.email, u.id FROM json_to_recordset('[{"email":"ann@example.com"},{"email":"bob@example.com"}]') AS e(email text) JOIN users u USING (email) ORDER BY u.id

SELECT g.email, (SELECT count(*) FROM users WHERE users.email IS NOT NULL) FROM generate_series(1, 2) AS g(email) ORDER BY 1

WITH t(email) AS (VALUES ('ann@example.com'), ('x@x')) SELECT email, (SELECT count(*) FROM users u WHERE u.email = t.email) FROM t ORDER BY 1

WITH t AS (SELECT unnest(ARRAY['ann@example.com']) AS email) SELECT t.email FROM t JOIN users u ON u.email = t.email

SELECT x.email FROM users u CROSS JOIN LATERAL jsonb_to_record(jsonb_build_object('email', u.email)) AS x(email text) ORDER BY u.id

SELECT x.email FROM users u, ROWS FROM (unnest(ARRAY[u.email])) AS x(email) ORDER BY u.id

SELECT u.id, (SELECT max(note) FROM orders) AS email FROM users u WHERE u.email IS NOT NULL ORDER BY 1

SELECT u.id, (SELECT email FROM users x(a, b, c) WHERE x.a = 1) FROM users u ORDER BY u.id

SELECT u.id, (SELECT email FROM orders x(email) WHERE x.email = 100) FROM users u ORDER BY 1

SELECT x.name FROM users x(email) WHERE email = 1

SELECT email, e FROM users x(email, n, e) ORDER BY email

SELECT * FROM users x(email, n, e) ORDER BY 1

SELECT u.id, (SELECT email FROM users x(a, b, c) WHERE x.a = u.id + 1) FROM users u ORDER BY u.id

SELECT u.email FROM users u WHERE u.email IN (SELECT t.email FROM unnest(ARRAY['bob@example.com', 'dee@example.com']) t(email)) ORDER BY 1

SELECT t.email FROM regexp_split_to_table('ann@example.com,zz@x', ',') AS t(email) WHERE t.email NOT IN (SELECT email FROM users WHERE email IS NOT NULL) ORDER BY 1

SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM users x(a, b, c) WHERE x.a = u.id AND email IS NOT NULL) ORDER BY 1

SELECT id, (SELECT email FROM users x(a, b, c) LIMIT 1) FROM users ORDER BY 1

SELECT u.id FROM users u WHERE u.id IN (SELECT x.a FROM users x(a, b, c) WHERE x.c = email) ORDER BY 1

SELECT a, email FROM users x(a, b, c), users u WHERE u.id = x.a ORDER BY 1

SELECT u.id, (SELECT count(*) FROM users x(i, n, e) WHERE e < email) FROM users u ORDER BY 1

SELECT id, (SELECT string_agg(e, ',' ORDER BY i) FROM users AS x(i, n, e) WHERE split_part(e, '@', 2) = split_part(email, '@', 2)) FROM users ORDER BY id

SELECT r.email FROM users u, jsonb_populate_record(NULL::user_archive, jsonb_build_object('email', u.email)) r ORDER BY u.id

SELECT g.email FROM users u, LATERAL (VALUES (u.email)) g(email) ORDER BY u.id

SELECT e.email FROM users u, LATERAL string_to_table(u.email, '@') AS e(email) ORDER BY u.id, 1

WITH a AS (UPDATE users SET email = 'a@x' WHERE id = 1 RETURNING id), b AS (UPDATE users SET name = 'b' WHERE id = 1 RETURNING id) SELECT (SELECT count(*) FROM a) AS na, (SELECT count(*) FROM b) AS nb

WITH a AS (UPDATE users SET name = 'first' WHERE id = 2 RETURNING id), b AS (UPDATE users SET email = 'second@x' WHERE id = 2 RETURNING id) SELECT (SELECT count(*) FROM a) AS na, (SELECT count(*) FROM b) AS nb

WITH d AS (DELETE FROM users WHERE id = 4 RETURNING id), u AS (UPDATE users SET email = 'zombie@x' WHERE id = 4 RETURNING id) SELECT (SELECT count(*) FROM d) AS nd, (SELECT count(*) FROM u) AS nu

WITH u AS (UPDATE users SET email = 'late@x' WHERE id = 4 RETURNING id), d AS (DELETE FROM users WHERE id = 4 RETURNING email) SELECT (SELECT count(*) FROM u) AS nu, (SELECT count(*) FROM d) AS nd

WITH a AS (UPDATE users SET email = 'one@x' WHERE id = 5 RETURNING email), b AS (UPDATE users SET email = 'two@x' WHERE id = 5 RETURNING email) SELECT (SELECT max(email) FROM a) AS ea, (SELECT max(email) FROM b) AS eb

WITH i AS (INSERT INTO users (id, name, email) VALUES (610, 'i', 'i@x') RETURNING id), u AS (UPDATE users SET email = 'u@x' WHERE id = 610 RETURNING id) SELECT (SELECT count(*) FROM i) AS ni, (SELECT count(*) FROM u) AS nu

INSERT INTO users (id, name, email) SELECT DISTINCT ON (email) id + 600, name, email FROM users WHERE email IS NOT NULL ORDER BY email, id RETURNING id, email

INSERT INTO users (email, name, id) SELECT max(email), 'agg', 620 FROM users RETURNING *

INSERT INTO users (email, name, id) SELECT min(email) FILTER (WHERE id > 2), count(*)::text, 621 FROM users GROUP BY () HAVING count(*) > 1 RETURNING id, name, email

INSERT INTO users (id, email) SELECT 622, email FROM users WHERE id = 1 INTERSECT SELECT 622, 'ann@example.com' RETURNING email

INSERT INTO users (id, email) SELECT 623, email FROM users WHERE id = 3 EXCEPT SELECT 623, NULL RETURNING id

INSERT INTO users (id, email) SELECT 624, email FROM users WHERE id = 3 UNION SELECT 624, email FROM users WHERE id = 3 RETURNING email IS NULL

INSERT INTO users (id, name, email) SELECT u.id + 630, o.note, u.email FROM users u JOIN orders o ON o.user_id = u.id WHERE o.id = 102 RETURNING *

INSERT INTO users (name, email, id) SELECT o.note, u.email, o.id + 1000 FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.id = 1 ORDER BY o.id RETURNING id, email

INSERT INTO users (id, name, email) SELECT g, 'v', e FROM (VALUES (640, 'a@x'), (641, NULL), (642, 'c@x')) AS t(g, e) RETURNING id, email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'y@x') ON CONFLICT (id) DO UPDATE SET email = NULL RETURNING id, email

INSERT INTO users (id, name, email) VALUES (1, 'x', 'ann.old@example.com') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email

UPDATE users SET email = 'ann.old@example.com' WHERE id = 1 RETURNING email

UPDATE users SET email = (SELECT address FROM email_address WHERE user_id = 1 AND NOT is_primary) WHERE id = 3 RETURNING email

INSERT INTO users (id, name, email) VALUES (3, 'x', NULL) ON CONFLICT (id) DO UPDATE SET email = 'c@c' WHERE EXCLUDED.email IS NULL RETURNING email

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y@x'), (3, 'z', 'w@x'), (650, 'n', NULL) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email || coalesce(users.email, '-'), name = EXCLUDED.name RETURNING id, name, email

INSERT INTO users (id, name, email) VALUES (2, 'x', 'y@x') ON CONFLICT (id) DO UPDATE SET email = users.email, name = EXCLUDED.email RETURNING *

INSERT INTO users (id, name, email) VALUES (4, 'x', 'y@x') ON CONFLICT (id) DO NOTHING RETURNING *

INSERT INTO users (id, name, email) VALUES (NULL, 'x', 'y@x')

INSERT INTO users (id, email) VALUES (660, 'a@x'), (1, 'dup@x')

UPDATE users SET email = CASE WHEN email IS NULL THEN (1 / (id - 3))::text ELSE email END

UPDATE users SET email = 'z@x' WHERE 1 / (id - 1) = 0

UPDATE users SET email = email::int WHERE id = 1

UPDATE users SET email = 'e@x' WHERE id = 2 RETURNING 1 / (id - 2)

DELETE FROM users WHERE id = 3 RETURNING 1 / (length(coalesce(email, '')))

INSERT INTO users (id, name, email) VALUES (670, 'x', 'y@x') RETURNING (email::int)

CREATE TEMP SEQUENCE hs; INSERT INTO users (id, name, email) SELECT nextval('hs') + 680, 'n', 'e' || nextval('hs') || '@x' RETURNING id, email

CREATE TEMP SEQUENCE hs2; UPDATE users SET email = 'seq' || (nextval('hs2') * 0) || '@x' WHERE id IN (1, 2) RETURNING id, email

CREATE TEMP SEQUENCE hs3; INSERT INTO users (id, name, email) VALUES (nextval('hs3') + 690, 'a', 'a' || currval('hs3')) RETURNING id, email

INSERT INTO users (id, name, email) VALUES (700, 'a', 'a@x'), (700, 'b', 'b@x') ON CONFLICT (id) DO NOTHING

INSERT INTO users (id, name, email) VALUES (701, 'a', 'a@x'), (701, 'b', 'b@x') ON CONFLICT DO NOTHING RETURNING id, name, email

INSERT INTO users (id, name, email) VALUES (702, 'a', NULL), (702, 'b', 'b@x') ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) VALUES (703, 'a', 'a@x'), (703, 'b', NULL) ON CONFLICT (id) DO NOTHING

INSERT INTO users (id, name, email) SELECT 704, name, email FROM users WHERE id IN (1, 2) ORDER BY id ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) SELECT 705, 'g' || g, 'g' || g || '@x' FROM generate_series(1, 3) g ON CONFLICT DO NOTHING RETURNING name, email

INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'), (706, 'b', 'b@x'), (706, 'c', 'c@x') ON CONFLICT (id) DO NOTHING RETURNING id, email

INSERT INTO users (id, name, email) VALUES (707, 'a', 'a@x'), (707, 'b', 'b@x') ON CONFLICT (id) DO UPDATE SET name = 'never'

INSERT INTO users (id, name, email) VALUES (3, 'a', 'a@x'), (3, 'b', 'b@x') ON CONFLICT (id) DO NOTHING

-- params: 708, 'a@x', 708, 'b@x'
INSERT INTO users (id, name, email) VALUES (?, 'p', ?), (?, 'q', ?) ON CONFLICT (id) DO NOTHING RETURNING email

-- params: 709, 'a@x', 709, NULL
INSERT INTO users (id, name, email) VALUES (?, 'p', ?), (?, 'q', ?) ON CONFLICT (id) DO NOTHING

WITH s(id, e) AS (VALUES (710::bigint, 'x@x'), (710, 'y@x')) INSERT INTO users (id, name, email) SELECT id, 'w', e FROM s ON CONFLICT (id) DO NOTHING RETURNING email

INSERT INTO users (id, name, email) SELECT 711, 'u', e FROM (VALUES ('a@x'), ('b@x')) v(e) UNION ALL SELECT 711, 'v', 'c@x' ON CONFLICT DO NOTHING

MERGE INTO users u USING (VALUES (720, 'a@x'), (720, 'b@x')) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'm', v.e)

MERGE INTO users u USING (SELECT id, email FROM users WHERE email IS NOT NULL) s ON u.id = s.id + 1 WHEN MATCHED THEN UPDATE SET email = s.email

MERGE INTO users u USING (VALUES (1)) v(id) ON u.id = v.id WHEN NOT MATCHED BY SOURCE AND u.email IS NULL THEN DELETE

MERGE INTO users u USING (VALUES (1, 'z@x')) v(id, e) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.e WHEN NOT MATCHED BY SOURCE THEN UPDATE SET email = NULL

MERGE INTO users u USING (VALUES (1, 'z@x'), (730, 'n@x')) v(id, e) ON u.id = v.id WHEN MATCHED THEN DO NOTHING WHEN NOT MATCHED THEN INSERT VALUES (v.id, 'n', v.e) RETURNING merge_action(), u.id

MERGE INTO users u USING (VALUES (2, 'z@x')) v(id, e) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.e RETURNING merge_action(), u.email

MERGE INTO users u USING (VALUES (3, 'z@x')) v(id, e) ON u.id = v.id WHEN MATCHED AND u.email IS NULL THEN UPDATE SET email = v.e

MERGE INTO users u USING orders o ON u.id = o.user_id AND o.id = 100 WHEN MATCHED THEN UPDATE SET email = o.note || '@x'

MERGE INTO users u USING orders o ON u.id = o.user_id WHEN MATCHED THEN UPDATE SET email = coalesce(o.note, 'none')

MERGE INTO users u USING (SELECT 731 AS id) v ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name) VALUES (v.id, 'noemail')

MERGE INTO users u USING (SELECT 4 AS id) v ON u.id = v.id WHEN MATCHED THEN DELETE

MERGE INTO users u USING (SELECT 4 AS id) v ON u.id = v.id WHEN MATCHED THEN DELETE RETURNING u.email

MERGE INTO users u USING (VALUES (5, 'E')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = lower(v.n) || '@x', name = v.n WHEN NOT MATCHED BY SOURCE AND u.id = 1 THEN UPDATE SET email = 'src@x'

MERGE INTO users u USING (VALUES (740::bigint, NULL::text)) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'n', v.e)

MERGE INTO users u USING (VALUES (1::bigint)) v(id) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = DEFAULT

MERGE INTO users u USING (VALUES (741::bigint)) v(id) ON u.id = v.id WHEN NOT MATCHED THEN INSERT DEFAULT VALUES

MERGE INTO users u USING (VALUES (1::bigint)) v(id) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = 1 / 0 || ''

MERGE INTO users u USING (VALUES (1::bigint)) v(id) ON u.id = v.id WHEN MATCHED THEN UPDATE SET id = NULL

MERGE INTO users u USING (VALUES (742::bigint, 'x@x')) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.e), (v.id + 1, v.e)

INSERT INTO users (id, name, email) SELECT 800.4, 'n', 'frac@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 800.4, 'n', 'frac@x'

INSERT INTO users (id, name, email) SELECT 801.5, 'a', 'a@x' UNION ALL SELECT 803.49, 'b', 'b@x' RETURNING id, email

INSERT INTO users SELECT * FROM (VALUES (803.6, 'b', 'b@x'), (804, 'a', 'a@x')) v(i, n, e) ON CONFLICT (id) DO NOTHING RETURNING id, name, email

INSERT INTO users (id, name, email) SELECT 2.2, 'x', 'up@x' ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT id * 1.5 + 900, name, email FROM users WHERE id IN (1, 2) RETURNING id, email

INSERT INTO users (id, name, email) SELECT 805.7::float8, 'f', 'float@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 806::int2, 's', 'small@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 807::numeric(10,2), 'n', 'num@x' RETURNING id, email

INSERT INTO users (name, email, id) SELECT 'r', 'rnd@x', round(808.4) RETURNING id, email

INSERT INTO users (id, name, email) SELECT ' 809 ', 'n', 'sp@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT '0810', 'n', 'zero@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 811.5, 'n', NULL RETURNING id, email

INSERT INTO users (id, name, email) VALUES (812.6, 'v', 'vfrac@x') RETURNING id, email

INSERT INTO users (id, name, email) VALUES (3.4, 'v', 'three@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT 3.4, 'v', 'three@x' ON CONFLICT (id) DO NOTHING RETURNING id, email

INSERT INTO users (id, name, email) SELECT 4.4, 'v', 'four@x' ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, email

-- params: 813, 'p@x'
INSERT INTO users (id, name, email) SELECT ? + 0.4, 'p', ? RETURNING id, email

UPDATE users SET id = id + 0.2, email = 'k@x' WHERE id = 1 RETURNING id, email

WITH s AS (SELECT 814.4 AS k, 'cte@x' AS e) INSERT INTO users (id, name, email) SELECT k, 'c', e FROM s RETURNING id, email

INSERT INTO users (id, name, email) SELECT g * 1.5 + 820, 'g', 'g' || g || '@x' FROM generate_series(1, 3) g RETURNING id, email

INSERT INTO users (id, name, email) SELECT 815.5, 'a', 'a@x' UNION ALL SELECT 816, 'b', 'b@x' ON CONFLICT (id) DO NOTHING RETURNING id, name, email

CREATE TEMP SEQUENCE hs4; INSERT INTO users (id, name, email) VALUES (830, 'a', 'a' || nextval('hs4') || '@x'); SELECT email, currval('hs4') FROM users WHERE id = 830

CREATE TEMP SEQUENCE hs5; INSERT INTO users (id, name, email) SELECT nextval('hs5') + 830, 'n', 'e' || currval('hs5') FROM generate_series(1, 2); SELECT id, email FROM users WHERE id > 830 ORDER BY id

CREATE TEMP SEQUENCE hs6; UPDATE users SET email = 'seq' || nextval('hs6') WHERE id = 2; SELECT email, currval('hs6') FROM users WHERE id = 2

CREATE TEMP SEQUENCE hs7; INSERT INTO users (id, name, email) VALUES (2, 'x', 'up' || nextval('hs7')) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email; SELECT email, currval('hs7') FROM users WHERE id = 2

CREATE TEMP SEQUENCE hs8; INSERT INTO users (id, name, email) VALUES (1, 'x', 'dn' || nextval('hs8')), (835, 'y', 'dn' || nextval('hs8')) ON CONFLICT (id) DO NOTHING; SELECT id, email, currval('hs8') FROM users WHERE id IN (1, 835) ORDER BY id

CREATE TEMP SEQUENCE hs9; DELETE FROM users WHERE id = 4 AND nextval('hs9') > 0; SELECT currval('hs9')

CREATE TEMP SEQUENCE hs10; UPDATE users SET email = email || (nextval('hs10') * 0) WHERE id <= 3; SELECT currval('hs10'), count(*) FROM users WHERE email LIKE '%@%'

INSERT INTO users (id, name, email) SELECT DISTINCT ON (2) '853', 'n', 'e@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT '854', 'n', 'o@x' ORDER BY 2 RETURNING id, email

INSERT INTO users (id, name, email) SELECT '855', name, 'g@x' FROM users WHERE id = 1 GROUP BY name RETURNING id, email

INSERT INTO users (id, name, email) SELECT '856', 'n', 'l@x' LIMIT 1 RETURNING id, email

INSERT INTO users (id, name, email) SELECT '8'
'57', 'n', 'cont@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT '858', 'n', 'w@x' WHERE EXISTS (SELECT 1 FROM users WHERE email IS NULL) RETURNING id, email

INSERT INTO users (id, name, email) SELECT '859', 'n', 'h@x' HAVING count(*) = 1 RETURNING id, email

INSERT INTO users (id, name, email) SELECT '860', 'n', 'win@x', 'extra' RETURNING id

INSERT INTO users (id, name, email) SELECT id + 1000, name, email FROM users WHERE id = 1 FOR UPDATE RETURNING id, email

INSERT INTO users (id, name, email) SELECT generate_series(861, 863), 'srf', 'srf@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 864, 'srf', unnest(ARRAY['a@x', 'b@x']) ON CONFLICT (id) DO NOTHING RETURNING id, email

INSERT INTO users (id, name, email) SELECT 865, 'w', lag(email) OVER (ORDER BY id) FROM users WHERE id IN (1, 2) ORDER BY id DESC LIMIT 1 RETURNING id, email

INSERT INTO users (email, id, name) SELECT email, (SELECT max(id) FROM users) + id, 'sub' FROM users WHERE id IN (2, 3) RETURNING id, email

MERGE INTO users u USING (VALUES (900.4, 'm@x')) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'm', v.e)

MERGE INTO users u USING (VALUES (2.4, 'm@x')) v(id, e) ON u.id = round(v.id) WHEN MATCHED THEN UPDATE SET email = v.e WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'm', v.e)

INSERT INTO users (id, name, email) VALUES (2.2, 'x', 'a@x'), (901.7, 'y', 'b@x') ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT 2.2, 'x', 'keep@x' ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, email

INSERT INTO users (id, name, email) SELECT 5.5, 'x', 'six@x' ON CONFLICT (id) DO UPDATE SET email = users.email || '+' RETURNING id, email

INSERT INTO users (id, name, email) SELECT 3.4, 'x', 'c@x' ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS NULL RETURNING id, email

INSERT INTO users (id, name, email) SELECT o.amount * 10, o.note, o.note || '@x' FROM orders o WHERE o.id = 100 RETURNING id, email

INSERT INTO users (id, name, email) SELECT o.amount + 900, 'amt', 'amt' || o.id FROM orders o ORDER BY o.id RETURNING id, email

INSERT INTO users (id, name, email) SELECT 903.5, 'a', NULL UNION ALL SELECT 904, 'b', 'b@x' ON CONFLICT (id) DO NOTHING RETURNING id, name, email

INSERT INTO users (id, name, email) SELECT 1.4, 'n', NULL ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT 905.5::real, 'r', 'real@x' RETURNING id, email

INSERT INTO users (id, name, email) SELECT '906'::numeric + 0.3, 'n', 'cast@x'

-- params: 907, 'p@x'
INSERT INTO users (id, name, email) SELECT ? * 1.0 + 0.5, 'p', ?

UPDATE users SET email = CASE id WHEN 1 THEN 'bob@example.com' ELSE 'ann@example.com' END WHERE id IN (1, 2) RETURNING id, email

UPDATE users SET email = (SELECT u2.email FROM users u2 WHERE u2.id = 3 - users.id + 1) WHERE id IN (1, 3) RETURNING id, email

DELETE FROM users WHERE id = 1 AND email = (SELECT address FROM email_address WHERE user_id = 1 AND is_primary) RETURNING id

UPDATE users SET email = NULL WHERE id = 1; INSERT INTO users (id, name, email) VALUES (910, 'n', 'ann.old@example.com'); DELETE FROM users WHERE id = 2

UPDATE users SET name = 'only' WHERE email = 'ann.old@example.com' RETURNING id

INSERT INTO users (id, name, email) SELECT 911, 'x', address FROM email_address WHERE user_id = 1 ORDER BY is_primary, address LIMIT 1 RETURNING email

INSERT INTO users (id, name, email) VALUES (871, 'a')

INSERT INTO users (id, name, email) VALUES (872, 'a', 'b@x'), (873, 'c')

INSERT INTO users (id, name, email) VALUES (874, 'a'), (875, 'c', 'd@x') RETURNING id, email

INSERT INTO users VALUES (876, 'a', 'b@x', 'c')

INSERT INTO users VALUES (877, 'a', 'b@x'), (878, 'c', 'd@x', 'e')

INSERT INTO users (id, name, email) SELECT 880, 'n', 'e@x', 'extra'

INSERT INTO users (id, name, email) SELECT id + 880, name, email, id FROM users WHERE id = 1 ON CONFLICT (id) DO NOTHING RETURNING id

INSERT INTO users (id, email) SELECT 881, 'a@x', 'b@x' UNION ALL SELECT 882, 'c@x', 'd@x'

INSERT INTO users (email, id) SELECT 'a@x', 883, 'Ann' RETURNING *

INSERT INTO users (id, name, email) SELECT 884, 'n'

UPDATE users SET (name, email) = ('x') WHERE id = 1

UPDATE users SET (name, email) = ('x', 'y@x', 'z') WHERE id = 1

UPDATE users SET (email) = ('a@x', 'b@x') WHERE id = 1

UPDATE users SET (name, email) = (SELECT 'x') WHERE id = 1

UPDATE users SET (name, email) = (SELECT 'x', 'y@x', 'z') WHERE id = 2

UPDATE users SET (email, name) = ROW('r@x') WHERE id = 2

INSERT INTO users (id, name, email) VALUES (2, 'a', 'b@x') ON CONFLICT (id) DO UPDATE SET (name, email) = ('x') RETURNING email

INSERT INTO users (id, name, email) VALUES (2, 'a', 'b@x') ON CONFLICT (id) DO UPDATE SET (name, email) = (EXCLUDED.name, EXCLUDED.email, 'z')

MERGE INTO users u USING (VALUES (885, 'n')) v(id, n) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, v.n)

MERGE INTO users u USING (VALUES (886, 'n')) v(id, n) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, 'a@x', 'b@x')

MERGE INTO users u USING (VALUES (2, 'n')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET (name, email) = (v.n)

INSERT INTO users (id, name, email) SELECT DISTINCT '887', 'n', 'd@x' RETURNING id

INSERT INTO users (id, name, email) SELECT '888', name, 'o@x' FROM users WHERE id = 1 ORDER BY name RETURNING id, email

INSERT INTO users (id, name, email) SELECT '889', name, 'o@x' FROM users WHERE id = 2 ORDER BY id RETURNING id, email

INSERT INTO users (id, name, email) SELECT '890', 'n', email FROM users WHERE id = 4 GROUP BY email RETURNING id, email

INSERT INTO users (id, name, email) SELECT '891', n, 'w@x' FROM (SELECT 'n' AS n) s WINDOW w AS (ORDER BY n) RETURNING id

INSERT INTO users (id, name, email) SELECT DISTINCT ON (email) '892', name, email FROM users WHERE id = 5 ORDER BY email RETURNING id, email

INSERT INTO users (id, name, email) SELECT '893', 'n', 'g@x' GROUP BY () RETURNING id, email

INSERT INTO users (id, name, email) SELECT '894', 'n', 'o@x' ORDER BY 3 DESC LIMIT 1 RETURNING id, email

INSERT INTO users (id, name, email) (SELECT '895', 'n', 'p@x' ORDER BY 2) RETURNING id, email

WITH s AS (SELECT 1) INSERT INTO users (id, name, email) SELECT '896', 'n', 'c@x' FROM s ORDER BY 2 RETURNING id

INSERT INTO users (id, name, email) SELECT '897', 'n', 'a@x' ORDER BY 1 RETURNING id

INSERT INTO users (id, name, email) SELECT '898', 'n', 'x@x' ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

-- params: '', 2
UPDATE users SET email = nullif(?, '') WHERE id = ? RETURNING id, email

-- params: 920, ''
INSERT INTO users (id, name, email) VALUES (?, 'n', nullif(?, '')) RETURNING id, email

-- params: 2, 'n', ''
INSERT INTO users (id, name, email) VALUES (?, ?, nullif(?, '')) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING email

-- params: 1, NULL
INSERT INTO users (id, name, email) VALUES (?, 'n', ?) ON CONFLICT (id) DO UPDATE SET email = coalesce(EXCLUDED.email, users.email) RETURNING email

-- params: 2, 'z@x'
INSERT INTO users (id, name, email) VALUES (?, 'n', ?) ON CONFLICT (id) DO UPDATE SET email = NULL RETURNING email

-- params: NULL, 3
UPDATE users SET email = ? || '@x' WHERE id = ? RETURNING email

-- params: NULL, 'b@x', 1
UPDATE users SET email = coalesce(?, ?) WHERE id = ? RETURNING email

-- params: 1, NULL, 921, 'q@x'
INSERT INTO users (id, name, email) VALUES (?, 'a', ?), (?, 'b', ?) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

-- params: 'e@x'
INSERT INTO users (id, name, email) SELECT id + 930, name, ? FROM users WHERE id IN (1, 3) RETURNING id, email

-- params: 'x', 3
UPDATE users SET email = email || ? WHERE id = ? RETURNING email

WITH a AS (INSERT INTO user_archive SELECT * FROM users WHERE email IS NULL RETURNING id) UPDATE users SET email = 'archived@x' WHERE id IN (SELECT id FROM a) RETURNING id, email

WITH o AS (UPDATE orders SET note = 'n' WHERE user_id = 2 RETURNING user_id) DELETE FROM users WHERE id IN (SELECT user_id FROM o) RETURNING id, email

WITH u AS (UPDATE users SET email = lower(email) WHERE id = 5 RETURNING id, email) INSERT INTO orders (id, user_id, note) SELECT 200, id, email FROM u RETURNING note

WITH u AS (DELETE FROM users WHERE email LIKE '%example.com' RETURNING id, email) UPDATE orders SET note = u.email FROM u WHERE orders.user_id = u.id RETURNING orders.id, orders.note

WITH x AS (SELECT email FROM users WHERE id = 2) INSERT INTO users (id, name, email) SELECT 940, 'copy', email FROM x RETURNING email

UPDATE users SET email = sub.e FROM (SELECT id, lead(email) OVER (ORDER BY id) AS e FROM users) sub WHERE sub.id = users.id RETURNING users.id, users.email

UPDATE users SET name = coalesce(email, 'none') WHERE id IN (2, 3) RETURNING id, name

DELETE FROM users WHERE email IN (SELECT email FROM users GROUP BY email HAVING count(*) = 1) AND id > 3 RETURNING id

DELETE FROM users WHERE NOT EXISTS (SELECT 1 FROM orders WHERE orders.user_id = users.id) AND email IS NOT NULL RETURNING *

DELETE FROM users u USING users v WHERE u.id = v.id + 1 AND v.email IS NULL RETURNING u.id, u.email, v.email

UPDATE users SET email = upper(u2.email) FROM users u2 WHERE u2.id = users.id RETURNING users.email, u2.email

UPDATE users SET email = email || '#' || (SELECT count(*) FROM users u2 WHERE u2.email < users.email) RETURNING id, email

SAVEPOINT a; UPDATE users SET email = 'x@x' WHERE id = 2; SAVEPOINT b; DELETE FROM users WHERE id = 2; ROLLBACK TO SAVEPOINT b; SELECT email FROM users WHERE id = 2

SAVEPOINT a; INSERT INTO users (id, name, email) VALUES (950, 'n', 's@x'); ROLLBACK TO a; INSERT INTO users (id, name, email) VALUES (950, 'm', 't@x'); SELECT id, name, email FROM users WHERE id = 950

SAVEPOINT a; UPDATE users SET email = NULL WHERE id = 1; RELEASE a; SAVEPOINT c; UPDATE users SET email = 'back@x' WHERE id = 1; ROLLBACK TO c; SELECT id, email FROM users WHERE id = 1

DECLARE hc CURSOR FOR SELECT id FROM users WHERE email IS NULL FOR UPDATE; FETCH hc; UPDATE users SET email = 'cur@x' WHERE CURRENT OF hc; SELECT email FROM users WHERE id = 3

DECLARE hd CURSOR FOR SELECT id, email FROM users ORDER BY id FOR UPDATE; FETCH 2 FROM hd; DELETE FROM users WHERE CURRENT OF hd; SELECT count(*) FROM users WHERE email IS NOT NULL

UPDATE users SET email = 'f@x' WHERE id = 1; INSERT INTO users (id, name, email) VALUES (2, 'dup', 'd@x')

INSERT INTO users (id, name, email) VALUES (2, 'n', 'x@x') ON CONFLICT (id) DO UPDATE SET email = (1 / (users.id - 2))::text

UPDATE users SET email = repeat('x', id::int) || substr(email, 100 / (id - 4)::int)

UPDATE users SET email = 'z@x' WHERE id = 3 AND email IS NULL RETURNING email

UPDATE users SET email = '' WHERE id = 1 RETURNING email, length(email)

INSERT INTO users (id, name, email) VALUES (963, 'e', '') RETURNING email IS NULL, email = ''

UPDATE users SET email = NULLIF(email, '') || '' WHERE id IN (1, 3) RETURNING id, email

UPDATE users SET email = 'c' || email WHERE id = 2 RETURNING *, email || '!' AS ex

WITH s AS (SELECT 2 AS id, 'ms@x' AS e) MERGE INTO users u USING s ON u.id = s.id WHEN MATCHED THEN UPDATE SET email = s.e

MERGE INTO users u USING (VALUES (1), (2), (3)) v(id) ON u.id = v.id WHEN NOT MATCHED BY SOURCE THEN DELETE

MERGE INTO users u USING (VALUES (2, 'B'), (970, 'N')) v(id, n) ON u.id = v.id WHEN MATCHED THEN UPDATE SET name = v.n WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, v.n, NULL)

MERGE INTO users u USING (VALUES (971.6, 'k@x')) v(id, e) ON u.id = v.id WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'm', v.e)

MERGE INTO users u USING (VALUES (2, 'r@x'), (972, 'q@x')) v(id, e) ON u.id = v.id WHEN MATCHED THEN UPDATE SET email = v.e WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (v.id, 'n', v.e) RETURNING merge_action(), u.id, v.e

INSERT INTO users (id, name, email) SELECT v.id, 'x', v.e FROM (VALUES (1::bigint, 'up@x'), (973, 'new@x')) v(id, e) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = users.name || '+' RETURNING id, name, email

INSERT INTO users (id, name, email) SELECT id, name, upper(email) FROM users ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email WHERE users.email IS DISTINCT FROM EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT id, name, NULL FROM users WHERE id < 3 ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email RETURNING id, email

INSERT INTO users (id, name, email) SELECT 3, 'x', 'c@x' ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.email RETURNING id, name, email

UPDATE users SET email = 'x@x' WHERE id = 1 RETURNING (SELECT count(*) FROM users u2 WHERE u2.email = 'x@x') AS seen

DELETE FROM users WHERE id = 2 RETURNING (SELECT u2.email FROM users u2 WHERE u2.id = 2) AS still

INSERT INTO users (id, name, email) SELECT v.i, 'x', (10 / v.d)::text FROM (VALUES (1, 1), (981, 0)) v(i, d)

INSERT INTO users (id, name, email) SELECT v.i, 'x', (10 / v.d)::text FROM (VALUES (NULL::bigint, 1), (982, 0)) v(i, d)

INSERT INTO users (id, name, email) SELECT v.i, 'x', 'e@x' || (10 / v.d) FROM (VALUES (1, 1), (983, 0)) v(i, d) RETURNING id

INSERT INTO users (id, name, email) SELECT v.i, (10 / v.d)::text, 'e@x' FROM (VALUES (2, 1), (984, 0)) v(i, d)

INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'), (985, 'b', (SELECT (1 / (count(*) - 5))::text FROM users))

INSERT INTO users (id, name, email) VALUES (986, 'b', (SELECT (1 / (count(*) - 5))::text FROM users)), (1, 'a', 'a@x')

INSERT INTO users (id, name, email) VALUES (NULL, 'a', 'a@x'), (987, 'b', (SELECT (1 / (count(*) - 5))::text FROM users)) RETURNING id

INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'), (988, 'b', 'b@x'), (988, 'c', (SELECT (1 / (count(*) - 5))::text FROM users)) ON CONFLICT (id) DO NOTHING

INSERT INTO users (id, name, email) SELECT g, 'n', 'e' || (100 / (g - 990)) FROM generate_series(989, 991) g ON CONFLICT (id) DO NOTHING

INSERT INTO users (id, name, email) SELECT v.i, 'x', (10 / v.d)::text FROM (VALUES (2, 1), (992, 0)) v(i, d) ON CONFLICT (id) DO UPDATE SET name = 'never' || (1 / (users.id - 2))

UPDATE users SET name = 'n' WHERE email <> 'bob@example.com' RETURNING id

UPDATE users SET name = 'n' WHERE NOT email = 'bob@example.com' RETURNING id

DELETE FROM users WHERE email NOT IN ('bob@example.com', 'dee@example.com') RETURNING id

DELETE FROM users WHERE NOT (email LIKE 'b%') RETURNING id

UPDATE users SET name = 'n' WHERE email IS DISTINCT FROM 'bob@example.com' RETURNING id

UPDATE users SET name = 'n' WHERE (email = 'bob@example.com') IS NOT TRUE RETURNING id

DELETE FROM users WHERE email <> ALL (ARRAY['bob@example.com']) RETURNING id

DELETE FROM users WHERE email = ANY ('{}'::text[]) RETURNING id

UPDATE users SET email = 'neg@x' WHERE NOT (email IS NOT NULL AND email LIKE '%example%') RETURNING id, email

DELETE FROM users WHERE email NOT IN (SELECT address FROM email_address WHERE NOT is_primary) RETURNING id

UPDATE users SET name = 'n' WHERE email NOT IN (SELECT note FROM orders) RETURNING id

UPDATE users SET name = 'n' WHERE email NOT IN (SELECT note FROM orders WHERE note IS NOT NULL) RETURNING id

DELETE FROM users WHERE email > 'c' AND email < 'z' RETURNING id

UPDATE users SET name = upper(name) WHERE email IN ('bob@example.com', NULL) RETURNING id

UPDATE users SET name = upper(name) WHERE email NOT IN ('bob@example.com', NULL) RETURNING id

DELETE FROM users WHERE coalesce(email, '') = '' RETURNING id

UPDATE users SET email = 'w@x' WHERE email = 'Eve@Example.com' COLLATE "C" RETURNING id

UPDATE users SET email = 'w@x' WHERE lower(email) = 'eve@example.com' AND email <> 'eve@example.com' RETURNING id, email

-- params: 'bob@example.com'
DELETE FROM users WHERE email <> ? RETURNING id

-- params: 'bob@example.com'
UPDATE users SET name = 'n' WHERE NOT (email = ?) RETURNING id

SELECT email AS select FROM users ORDER BY 1

SELECT email AS union, id AS intersect FROM users ORDER BY 2

SELECT id AS except, email FROM users ORDER BY id

SELECT email AS select, email FROM users ORDER BY 2

SELECT upper(u.email) AS select, u.id AS from FROM users u ORDER BY 2

SELECT id FROM users WHERE email = (SELECT email AS select FROM users WHERE id = 1) ORDER BY id

SELECT id, (SELECT v.email AS union FROM users v WHERE v.id = u.id) AS e FROM orders u ORDER BY id

SELECT x.select FROM (SELECT email AS select FROM users) x ORDER BY 1

WITH w AS (SELECT email AS select, id AS order FROM users) SELECT * FROM w ORDER BY 2

SELECT DISTINCT email AS select FROM users ORDER BY 1

SELECT max(email) AS select FROM users GROUP BY name ORDER BY 1

SELECT email AS select FROM users UNION ALL SELECT 'x' ORDER BY 1

SELECT 'x' AS select UNION ALL SELECT email FROM users ORDER BY 1

SELECT email AS from, name AS where FROM users ORDER BY 2, 1

SELECT u.email AS order, id AS limit FROM users u ORDER BY 2

SELECT email AS group, email AS having, email AS window, email AS offset, email AS fetch, email AS for, email AS into FROM users ORDER BY 1

SELECT email AS returning, email AS on, email AS as FROM users ORDER BY 1

SELECT x.from FROM (SELECT email AS from FROM users) x ORDER BY 1

UPDATE orders SET note = (SELECT email AS select FROM users WHERE id = 1) WHERE id = 100

INSERT INTO user_archive SELECT id, name, email AS select FROM users

INSERT INTO user_archive (id, email) SELECT id, email AS union FROM users WHERE id = 1

DELETE FROM orders WHERE note IN (SELECT email AS select FROM users) OR id = 101

UPDATE users SET name = 'x' WHERE id IN (SELECT id AS select FROM users WHERE email LIKE 'a%') RETURNING id, email AS from

UPDATE users SET email = 'kw@x' WHERE id = 2 RETURNING email AS select, id AS from

INSERT INTO users (id, name, email) VALUES (71, 'kw', 'kw71@x') RETURNING email AS union, name AS where

WITH x (a, b, c) AS (SELECT * FROM users) SELECT c FROM x ORDER BY a

SELECT c FROM (SELECT * FROM users) s(a, b, c) ORDER BY 1

SELECT * FROM (SELECT * FROM users) s(a, b, c) ORDER BY a

SELECT s.c, s.a FROM (SELECT u.* FROM users u) s(a, b, c) ORDER BY 2

SELECT e FROM (SELECT * FROM users) s(a, b, e) WHERE e IS NOT NULL ORDER BY 1

INSERT INTO users (id, name, email) VALUES (3, 'C', 'c3@x') ON CONFLICT (id) DO UPDATE SET (name, email) = (EXCLUDED.name, EXCLUDED.email) RETURNING *

INSERT INTO users (id, name, email) VALUES (2, 'R', 'r2@x'), (72, 'S', 's72@x') ON CONFLICT (id) DO UPDATE SET (email, name) = ROW(upper(EXCLUDED.email), 'rowed') RETURNING email, name

INSERT INTO users AS u (id, name, email) VALUES (1, 'A', 'a1@x') ON CONFLICT (id) DO UPDATE SET (email) = ROW(u.email || '+') WHERE u.id = 1 RETURNING u.email

-- params: 4, 'p4@x'
INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET (name, email) = ('pp', EXCLUDED.email) RETURNING email

INSERT INTO users SELECT id, 'dup', 'dupr@x' FROM users WHERE id = 1 ON CONFLICT (id) DO UPDATE SET (email, name) = (EXCLUDED.email, EXCLUDED.name) RETURNING *

INSERT INTO users (id, name, email) VALUES (3, 'C', 'c3@x') ON CONFLICT (id) DO UPDATE SET (name, email) = (EXCLUDED.name, name) RETURNING *

WITH x (a, b) AS (SELECT * FROM users) SELECT * FROM x ORDER BY a

WITH x (a) AS (SELECT * FROM users) SELECT email, a FROM x ORDER BY a

SELECT * FROM (SELECT * FROM users) s(a) ORDER BY a
