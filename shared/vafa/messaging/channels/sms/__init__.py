"""SMS gateways behind one interface: Kavenegar, SMS.ir, Amazon SNS and a local provider."""
