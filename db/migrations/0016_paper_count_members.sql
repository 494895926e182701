-- The command log is read back with the commands' own schema (src/room/command-log.ts). Paper counts logged
-- before their members were named (issue 16) lack how many members voted on paper: each paper ballot, counted
-- or spoiled, was one member's, so it is ballots plus spoiled, as the rules then counted them.

UPDATE room_commands
SET command = json_set(command, '$.members', json_extract(command, '$.ballots') + json_extract(command, '$.spoiled'))
WHERE json_extract(command, '$.type') = 'vote:paper' AND json_type(command, '$.members') IS NULL;
