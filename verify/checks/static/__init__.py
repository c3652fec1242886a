"""Static and symbolic scanners of Solidity: Slither (with fairwatt's CEI detector) and Mythril."""
