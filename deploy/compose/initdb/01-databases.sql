-- One database per service (services never share one), as `make run` does; run once by the postgres image on an
-- empty data volume.
CREATE DATABASE pzw_clients;
CREATE DATABASE pzw_plans;
CREATE DATABASE pzw_matching;
CREATE DATABASE pzw_notifications;
CREATE DATABASE pzw_reporting;
