/** Just enough XML writing for AWS Query protocol responses. */

/** Text content needs only these three; quotes stay as they are, as in AWS's own answers. */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An element holding text. */
export function text(name: string, value: string | number | boolean): string {
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** An element holding already-built elements; `undefined` children are left out. */
export function node(name: string, ...children: (string | undefined)[]): string {
  return `<${name}>${children.filter((child) => child !== undefined).join('')}</${name}>`;
}

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** `<XResponse><XResult>…</XResult><ResponseMetadata>…` as every Query API answers. */
export function actionResponse(action: string, namespace: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${namespace}">` +
    `<${action}Result>${result}</${action}Result>` +
    node('ResponseMetadata', text('RequestId', requestId)) +
    `</${action}Response>\n`
  );
}

export function errorResponse(
  namespace: string,
  fault: { type: 'Sender' | 'Receiver'; code: string; message: string },
  requestId: string,
): string {
  return (
    `<ErrorResponse xmlns="${namespace}">` +
    node('Error', text('Type', fault.type), text('Code', fault.code), text('Message', fault.message)) +
    text('RequestId', requestId) +
    `</ErrorResponse>\n`
  );
}
