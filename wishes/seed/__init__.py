"""Demo data: the seed's world (辽源市), its stories with timelines, and bulk generation."""
