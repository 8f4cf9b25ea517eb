#!/bin/sh
# Ready when the router answers; the launcher options live in the Dockerfile.
exec curl -fsS "http://localhost:${PORT:-8080}/health"
