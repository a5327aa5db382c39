/** Human approval of requests a policy holds: durable approval requests, approver rules, hold and grant, notifications and audit. */
package io.vectorgate.approvals;
