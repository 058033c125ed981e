"""Build macros shared by docket's packages."""

def docket_cc_test(name, srcs, deps = [], data = [], size = "small", shard_count = None):
    """A GoogleTest test: `deps` plus gtest and its main; `shard_count`
    splits its cases among that many processes run side by side."""
    native.cc_test(
        name = name,
        size = size,
        shard_count = shard_count,
        srcs = srcs,
        data = data,
        deps = deps + [
            "@system//:gtest",
            "@system//:gtest_main",
        ],
    )

def docket_e2e_test(name, srcs, deps = [], data = [], size = "medium", shard_count = None):
    """A test of real processes on real data directories: docketctl, the
    example commands and their evidence in its runfiles, and the shared
    helpers of tests/testing."""
    docket_cc_test(
        name = name,
        size = size,
        shard_count = shard_count,
        srcs = srcs,
        data = data + [
            "//examples:evidence",
            "//examples:org.ndjson",
            "//examples:seed_cases.ndjson",
            "//tools/docketctl",
        ],
        deps = deps + [
            "//tests/testing:binaries",
            "//tests/testing:data_dir",
            "//tests/testing:subprocess",
            "@system//:absl",
        ],
    )
