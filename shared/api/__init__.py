"""The HTTP API's application layer: request/response models and the operations behind each route."""
