"""AWS adapters: the only package allowed to import boto3, botocore and moto."""
