"""Who gets a message and when: the delivery policy the engine applies to every decision."""
