import { ApiError } from '@suite/api-kit';

// The category contract fixes messages and detail texts for these failures (§3.2, §4, §5, §7).

/** The message of every body validation failure of the category writes (§3.4). */
export const CONSTRAINT_MESSAGE = 'Constraint validation failed';

/** The message of every assignment body validation failure (§7.2). */
export const ASSIGNMENT_MESSAGE = 'Assignment reference validation failed';

/** 403 for a scope that depends on the input (§3.2 wording). */
export function missingScope(...scopes: string[]): ApiError {
  return new ApiError('insufficient_scope', 'You need a scope for this action.', {
    details: [{ type: 'missing_scope', message: `Required scope(s): ${scopes.join(', ')}` }],
    headers: { 'WWW-Authenticate': `Bearer realm="commerce", error="insufficient_scope", scope="${scopes.join(' ')}"` },
  });
}

export function categoryNotFound(id: string, message = 'Error while getting category'): ApiError {
  return new ApiError('resource_not_found', message, {
    resourceId: id.length <= 150 ? id : undefined,
    details: [{ type: 'not_found', message: `Category with id '${id}' not found` }],
  });
}

export function treeNotFound(id: string): ApiError {
  return new ApiError('resource_not_found', 'Error while getting category tree', {
    resourceId: id.length <= 150 ? id : undefined,
    details: [{ type: 'not_found', message: `Category tree for category with id '${id}' not found` }],
  });
}

export function parentNotFound(id: string): ApiError {
  return new ApiError('validation_failed', 'Constraint validation failed', {
    details: [{ type: 'unknown_reference', message: `Parent category with id '${id}' not found` }],
  });
}

export function cycleRejected(id: string): ApiError {
  return new ApiError('business_rule_violation', 'Error while updating category hierarchy', {
    resourceId: id,
    details: [{ type: 'invalid_value', message: 'Category cannot be moved under itself or one of its descendants' }],
  });
}

export function parentTypeMismatch(parentType: string, type: string): ApiError {
  return new ApiError('business_rule_violation', 'Error while updating category hierarchy', {
    details: [{ type: 'invalid_value', message: `Parent category type '${parentType}' differs from category type '${type}'` }],
  });
}

export function typeImmutable(stored: string): ApiError {
  return new ApiError('validation_failed', 'Constraint validation failed', {
    details: [{ field: 'type', type: 'read_only', message: `cannot be changed from ${stored}` }],
  });
}

export function deleteRootRejected(id: string): ApiError {
  return new ApiError('business_rule_violation', 'Error while deleting category', {
    resourceId: id,
    details: [{ type: 'invalid_value', message: 'Cannot delete root category without subsequent categories' }],
  });
}

export function versionConflict(id: string, sent: number, stored: number): ApiError {
  return new ApiError('version_conflict', 'Optimistic locking failed', {
    resourceId: id,
    details: [{ type: 'version_mismatch', message: `Expected version ${sent}, current version ${stored}` }],
  });
}

export function duplicateCategory(rule: 'id' | 'code' | 'ecn', id: string): ApiError {
  if (rule === 'ecn')
    return new ApiError('duplicate_resource', 'Duplicated ECN value - given ECN is already assigned to another category.', {
      resourceId: id,
    });
  if (rule === 'code') {
    return new ApiError('duplicate_resource', 'Duplicated code value - given code is already assigned to another category.', {
      resourceId: id,
    });
  }
  return new ApiError('duplicate_resource', 'Category already exists', {
    resourceId: id,
    details: [{ type: 'duplicate', message: `Category with id '${id}' already exists` }],
  });
}

export function hierarchyBusy(): ApiError {
  return new ApiError('service_unavailable', 'The category hierarchy is being changed by another request; retry later.');
}

/**
 * 412 for op 22 with `branchesOnly` and an `If-None-Match` that names the current answer (a POST
 * must not answer 304, RFC 9110 §13.1.2): the caller's copy is current; the tag comes back.
 */
export function answerUnchanged(etag: string): ApiError {
  return new ApiError('precondition_failed', 'The answer is unchanged (If-None-Match).', { headers: { ETag: etag } });
}
