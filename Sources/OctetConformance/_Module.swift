import OctetIR
