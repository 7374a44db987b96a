"""The phone app's Python side: its build, its generated API types and the development server that serves it."""
