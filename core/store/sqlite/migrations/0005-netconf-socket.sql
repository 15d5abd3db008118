-- 4 -> 5: NETCONF over a Unix socket.
ALTER TABLE device ADD COLUMN netconf_socket TEXT NOT NULL DEFAULT '';
