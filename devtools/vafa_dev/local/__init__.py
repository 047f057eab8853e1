"""The local stack: the whole product on 127.0.0.1 with an embedded AWS stand-in, built from template.yaml."""
