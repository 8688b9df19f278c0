# Every test of every module, with the race detector (starts Redis when installed).
.PHONY: test test-script demo
test:
	scripts/test

# scripts/test's own check: its exit status and Redis summary with and without Redis.
test-script:
	scripts/test-redis-check

demo:
	go run ./cmd/messenger demo
