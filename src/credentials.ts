/** The IAM user's long-term access key: what the secret store keeps. */
export interface LongTermKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Any AWS credentials; temporary ones carry a session token and an expiry. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Temporary credentials as STS hands them out. */
export interface SessionCredentials extends Credentials {
  sessionToken: string;
  expiration: Date;
}
