"""Account files updated from an import (`kam import`): the round trip that keeps what people
wrote, the merge of exported data into a file, and the changes it makes."""
