-- The control schema as dualwrite created it before schema versions were recorded (driver ControlSchema.install
-- and migrator BackfillTables.ensure at commit ef3e357): what ControlTablesTest upgrades.
CREATE SCHEMA dualwrite;
CREATE TABLE IF NOT EXISTS dualwrite.migration (
                      name                text PRIMARY KEY,
                      source_schema       text NOT NULL,
                      source_table        text NOT NULL,
                      key_column          text NOT NULL,
                      source_column       text NOT NULL,
                      target_schema       text NOT NULL,
                      target_table        text NOT NULL,
                      target_key_column   text NOT NULL,
                      target_value_column text NOT NULL,
                      primary_flag_column text NOT NULL,
                      sync_view           text NOT NULL,
                      phase               text NOT NULL CHECK (phase IN
                                            ('EXPANDED','DUAL_WRITE','READ_NEW','NEW_ONLY','CONTRACTED')),
                      phase_changed_at    timestamptz NOT NULL DEFAULT now(),
                      created_at          timestamptz NOT NULL DEFAULT now()
                    );
CREATE TABLE IF NOT EXISTS dualwrite.phase_change (
                      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                      migration  text NOT NULL REFERENCES dualwrite.migration(name),
                      from_phase text,
                      to_phase   text NOT NULL,
                      changed_by text NOT NULL,
                      reason     text,
                      changed_at timestamptz NOT NULL DEFAULT now()
                    );
CREATE TABLE IF NOT EXISTS dualwrite.backfill_checkpoint (
                      migration    text PRIMARY KEY REFERENCES dualwrite.migration(name),
                      rows_copied  bigint NOT NULL DEFAULT 0,
                      batches      bigint NOT NULL DEFAULT 0,
                      total_rows   bigint,
                      started_at   timestamptz NOT NULL DEFAULT now(),
                      updated_at   timestamptz NOT NULL DEFAULT now(),
                      completed_at timestamptz
                    );
ALTER TABLE dualwrite.migration
                      ADD COLUMN IF NOT EXISTS shadow_sample_rate double precision NOT NULL DEFAULT 0
                        CHECK (shadow_sample_rate BETWEEN 0 AND 1),
                      ADD COLUMN IF NOT EXISTS last_parity_mismatches bigint,
                      ADD COLUMN IF NOT EXISTS last_parity_at timestamptz;
CREATE TABLE IF NOT EXISTS dualwrite.instance (
                      id           text PRIMARY KEY,
                      host         text NOT NULL,
                      pid          bigint NOT NULL,
                      started_at   timestamptz NOT NULL,
                      heartbeat_at timestamptz NOT NULL DEFAULT now(),
                      applied      jsonb NOT NULL DEFAULT '{}'
                    );
CREATE TABLE IF NOT EXISTS dualwrite.backfill_range (
                  migration    text NOT NULL REFERENCES dualwrite.migration(name),
                  range_no     int NOT NULL,
                  lo_page      bigint NOT NULL,
                  hi_page      bigint NOT NULL,
                  next_page    bigint NOT NULL,
                  source_filenode bigint NOT NULL,
                  start_xmin   text,
                  rows_scanned bigint NOT NULL DEFAULT 0,
                  rows_copied  bigint NOT NULL DEFAULT 0,
                  batches      bigint NOT NULL DEFAULT 0,
                  updated_at   timestamptz NOT NULL DEFAULT now(),
                  completed_at timestamptz,
                  PRIMARY KEY (migration, range_no)
                );
CREATE TABLE IF NOT EXISTS dualwrite.backfill_control (
                  migration  text PRIMARY KEY REFERENCES dualwrite.migration(name),
                  paused     boolean NOT NULL DEFAULT false,
                  batch_size int CHECK (batch_size IS NULL OR batch_size > 0),
                  updated_by text,
                  updated_at timestamptz NOT NULL DEFAULT now()
                );
CREATE TABLE IF NOT EXISTS dualwrite.parity_chunk (
                  migration  text NOT NULL REFERENCES dualwrite.migration(name),
                  run_id     bigint NOT NULL,
                  chunk_no   int NOT NULL,
                  lo_key     text,
                  hi_key     text,
                  source_rows bigint,
                  mismatches bigint,
                  offending  text[],
                  checked_at timestamptz NOT NULL DEFAULT now(),
                  PRIMARY KEY (migration, run_id, chunk_no)
                );
