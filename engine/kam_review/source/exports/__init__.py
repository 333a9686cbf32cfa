"""Reading CRM and ERP exports (`kam import`): the mapping file, the tables, and the rows
mapped to account data."""
