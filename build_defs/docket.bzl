"""Build macros shared by docket's packages."""

def docket_cc_test(name, srcs, deps = [], data = [], size = "small"):
    """A GoogleTest test: `deps` plus gtest and its main."""
    native.cc_test(
        name = name,
        size = size,
        srcs = srcs,
        data = data,
        deps = deps + [
            "@system//:gtest",
            "@system//:gtest_main",
        ],
    )
