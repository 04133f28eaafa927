// Tests for this module are added with its issue.
