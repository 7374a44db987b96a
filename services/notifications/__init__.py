"""The notifications service: turns events into messages for people and signed deliveries for systems."""
