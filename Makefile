# Every test of every module, with the race detector (starts Redis when installed).
.PHONY: test demo
test:
	scripts/test

demo:
	go run ./cmd/messenger demo
