/** botocore refreshes credentials 15 minutes before they expire; never hand out less. */
export const MIN_VALIDITY_MS = 15 * 60 * 1000;
