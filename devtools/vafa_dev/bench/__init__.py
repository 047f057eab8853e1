"""`python -m vafa_dev.bench`: the benchmark behind `make bench` (a report, not a test).

Parts: DynamoDB round trips per operation (botocore hooks) and the capacity units they cost
(computed from the captured requests), cold-start import time of each function, HTTP throughput
through the local stack, and the expiry job's cost as the number of customers grows.
"""
