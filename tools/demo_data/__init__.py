"""Demo and test data: realistic, deterministic PZW histories of Polish clients, written through the services' HTTP
APIs or directly onto the Kafka topics (docs/demo-data.md)."""
