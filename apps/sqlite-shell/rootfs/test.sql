-- SPDX-License-Identifier: MIT
-- The shell test (tests/sqlite.sh): a table in a file database, rows in, queries out, the file
-- opened again to show the rows were written to it, and an integrity check.
.bail on
.headers off
.mode list
CREATE TABLE fruit(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER);
BEGIN;
INSERT INTO fruit(name, qty) VALUES ('apple', 3), ('banana', 12), ('cherry', 40);
INSERT INTO fruit(name, qty) SELECT 'fig' || value, value FROM generate_series(1, 100);
COMMIT;
SELECT 'count', count(*), sum(qty) FROM fruit;
UPDATE fruit SET qty = qty * 2 WHERE name = 'banana';
DELETE FROM fruit WHERE name LIKE 'fig%' AND qty > 50;
.open /tmp/test.db
SELECT name, qty FROM fruit WHERE name NOT LIKE 'fig%' ORDER BY id;
SELECT 'after', count(*), sum(qty) FROM fruit;
SELECT 'journal', * FROM pragma_journal_mode;
PRAGMA integrity_check;
