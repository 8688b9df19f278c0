module github.com/gomessenger/messenger/bench

go 1.26.0

replace github.com/gomessenger/messenger => ../

require (
	github.com/ekyoung/fbmessenger v1.1.0
	github.com/gomessenger/messenger v0.0.0-00010101000000-000000000000
	github.com/google/go-cmp v0.7.0
	github.com/maciekmm/messenger-platform-go-sdk v0.0.0-20180506131304-fe24182d420d
	github.com/mileusna/facebook-messenger v0.6.0
	github.com/paked/messenger v1.1.1
)

require (
	github.com/onsi/ginkgo v1.16.5 // indirect
	github.com/onsi/gomega v1.44.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)
