"""apigwctl: compile OpenAPI + x-amazon-apigateway-* extensions into AWS API Gateway deployments."""

__version__ = "0.1.0"
