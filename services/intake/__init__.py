"""Intake: residents raise issues, the two committees review, resolve and close them; Open311."""
