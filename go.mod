module github.com/daemontools-go/daemontools

go 1.26.0

require (
	github.com/cpuguy83/go-md2man/v2 v2.0.7
	github.com/russross/blackfriday/v2 v2.1.0
	golang.org/x/sys v0.49.0
)

tool github.com/cpuguy83/go-md2man/v2
