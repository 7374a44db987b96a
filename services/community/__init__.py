"""community: the publicity and public-participation pillars of the Meihu practice (port 8086)."""
