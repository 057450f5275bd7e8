import type { Socket } from 'node:net';
import type { ErrorBody, ErrorCode } from '@oo/contracts';
import { ERROR_CODES } from '@oo/contracts';

const REASONS: Partial<Record<ErrorCode, [reason: string, message: string]>> = {
  bad_request: ['Bad Request', 'the request is not valid HTTP/1.1'],
  request_timeout: ['Request Timeout', 'the request was not received in time'],
  headers_too_large: ['Request Header Fields Too Large', 'the request line and headers are too large'],
};

function codeOf(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout';
  return 'bad_request';
}

/** The raw HTTP/1.1 response Node would have sent, with a body in the spec's error shape. */
export function clientErrorResponse(error: NodeJS.ErrnoException): string {
  const code = codeOf(error);
  const [reason, message] = REASONS[code]!;
  const body: ErrorBody = { error: { code, message } };
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${ERROR_CODES[code]} ${reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`
  );
}

/**
 * The server's `clientError` listener: requests Node refuses before they reach the app (malformed
 * HTTP, header fields over the limit, the headers or request time-out) get the spec's error shape
 * instead of Node's bodiless 400/408/431, then the connection is closed. As in Node's own handler,
 * nothing is written once a response has started on the socket: that would corrupt it.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // Node keeps the response in flight on the socket as `_httpMessage` (its own handler reads it).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    socket.write(clientErrorResponse(error));
  }
  socket.destroy();
}
