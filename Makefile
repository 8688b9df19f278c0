# Every test of every module, with the race detector (starts Redis and a Redis Cluster when installed).
.PHONY: test test-script demo
test:
	scripts/test

# scripts/test's own check: its exit status and Redis and Redis Cluster summary with and without them.
test-script:
	scripts/test-redis-check

demo:
	go run ./cmd/messenger demo
