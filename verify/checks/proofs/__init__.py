"""Z3 proof obligations of the auction, reputation and settlement rules."""
