-- One database per service in one cluster; no service reads another's tables.
CREATE DATABASE keel_auth;
CREATE DATABASE keel_secrets;
CREATE DATABASE keel_metadata;
