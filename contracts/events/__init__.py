"""Every event payload Linli puts on the wire, one module per emitting service."""
