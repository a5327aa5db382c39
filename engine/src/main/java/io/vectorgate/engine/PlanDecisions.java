package io.vectorgate.engine;

import io.vectorgate.engine.plan.Val;
import io.vectorgate.model.ApprovalRequirement;
import io.vectorgate.model.AuditHints;
import io.vectorgate.model.Decision;
import io.vectorgate.model.FieldMask;
import io.vectorgate.model.FilterOp;
import io.vectorgate.model.LimitCap;
import io.vectorgate.model.MaskMethod;
import io.vectorgate.model.Obligations;
import io.vectorgate.model.Reason;
import io.vectorgate.model.RowFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The plan engine's result value straight into a {@link Decision}, for decisions of the contract's
 * plain shape: every field present has exactly the JSON type the contract gives it (strings,
 * booleans, integers, known enum names, row-filter values that are strings, booleans, integers or
 * arrays of them). Anything else (a null, a float, an unknown key or enum name, a missing message)
 * returns null and the caller takes the Jackson route ({@code PolicyEngine.decisionOf}), which
 * decides coercions and errors as before. {@code PlanDecisionsProperties} checks that both routes
 * give the same decision wherever this one answers.
 */
final class PlanDecisions {
  private static final Val.Str ALLOW = Val.str("allow");
  private static final Val.Str REASONS = Val.str("reasons");
  private static final Val.Str OBLIGATIONS = Val.str("obligations");
  private static final Val.Str CODE = Val.str("code");
  private static final Val.Str MESSAGE = Val.str("message");
  private static final Val.Str MASK = Val.str("mask");
  private static final Val.Str STRIP_VECTORS = Val.str("strip_vectors");
  private static final Val.Str ROW_FILTER = Val.str("row_filter");
  private static final Val.Str LIMIT_CAP = Val.str("limit_cap");
  private static final Val.Str APPROVAL = Val.str("approval");
  private static final Val.Str AUDIT = Val.str("audit");
  private static final Val.Str FIELD = Val.str("field");
  private static final Val.Str PATH = Val.str("path");
  private static final Val.Str METHOD = Val.str("method");
  private static final Val.Str OP = Val.str("op");
  private static final Val.Str VALUE = Val.str("value");
  private static final Val.Str MAX = Val.str("max");
  private static final Val.Str MODE = Val.str("mode");
  private static final Val.Str REASON = Val.str("reason");
  private static final Val.Str APPROVER_GROUPS = Val.str("approver_groups");
  private static final Val.Str MIN_APPROVALS = Val.str("min_approvals");
  private static final Val.Str EXPIRES = Val.str("expires_in_seconds");
  private static final Val.Str LABELS = Val.str("labels");
  private static final Val.Str RECORD_PAYLOADS = Val.str("record_payloads");
  private static final Val.Str RECORD_VECTORS = Val.str("record_vectors");
  private static final Map<String, MaskMethod> MASK_METHODS = Map.of("redact", MaskMethod.REDACT, "hash",
      MaskMethod.HASH, "partial", MaskMethod.PARTIAL, "drop", MaskMethod.DROP);
  private static final Map<String, FilterOp> FILTER_OPS = Map.of("eq", FilterOp.EQ, "ne", FilterOp.NE, "in",
      FilterOp.IN, "not_in", FilterOp.NOT_IN);
  private static final Map<String, LimitCap.CapMode> CAP_MODES = Map.of("clamp", LimitCap.CapMode.CLAMP, "deny",
      LimitCap.CapMode.DENY);

  /** Not the plain shape: take the Jackson route. */
  private static final class Other extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Other INSTANCE = new Other();

    private Other() {
      super(null, null, false, false);
    }
  }

  private PlanDecisions() {}

  /**
   * Recent values mapped and their decisions (or {@link #OTHER}), by identity, direct-mapped: the
   * memo returns the same value instance again for the same kind of request.
   */
  private static final AtomicReferenceArray<Object[]> RECENT = new AtomicReferenceArray<>(64);
  private static final Object OTHER = new Object();

  /**
   * The decision, or null when the value is not of the plain shape. A value is never changed once
   * evaluated (the plan memo hands out the same instance to every decision it answers), and a
   * Decision is immutable, so a recent mapping is reused when the same instance comes again.
   */
  static Decision of(Val v) {
    if (v == null) {
      return null;
    }
    int slot = System.identityHashCode(v) & (RECENT.length() - 1);
    Object[] l = RECENT.get(slot);
    if (l != null && l[0] == v) {
      return l[1] == OTHER ? null : (Decision) l[1];
    }
    Decision d = map(v);
    RECENT.set(slot, new Object[] {v, d == null ? OTHER : d});
    return d;
  }

  private static Decision map(Val v) {
    try {
      Val.Obj o = obj(v);
      keys(o, ALLOW, REASONS, OBLIGATIONS);
      if (!(o.get(ALLOW) instanceof Val.Bool allow)) {
        return null;
      }
      List<Reason> reasons = null;
      if (o.get(REASONS) != null) {
        reasons = new ArrayList<>();
        for (Val r : arr(o.get(REASONS))) {
          Val.Obj ro = obj(r);
          keys(ro, CODE, MESSAGE);
          reasons.add(new Reason(str(ro.get(CODE)), str(ro.get(MESSAGE))));
        }
      }
      Obligations obligations = o.get(OBLIGATIONS) == null ? null : obligations(obj(o.get(OBLIGATIONS)));
      return new Decision(allow.value, reasons, obligations, null, null);
    } catch (Other e) {
      return null;
    }
  }

  private static Obligations obligations(Val.Obj o) {
    keys(o, MASK, STRIP_VECTORS, ROW_FILTER, LIMIT_CAP, APPROVAL, AUDIT);
    List<FieldMask> masks = null;
    if (o.get(MASK) != null) {
      masks = new ArrayList<>();
      for (Val m : arr(o.get(MASK))) {
        Val.Obj mo = obj(m);
        keys(mo, FIELD, PATH, METHOD);
        masks.add(new FieldMask(str(mo.get(FIELD)), strings(mo.get(PATH)), enumOf(MASK_METHODS, mo.get(METHOD))));
      }
    }
    boolean strip = o.get(STRIP_VECTORS) != null && bool(o.get(STRIP_VECTORS));
    List<RowFilter> rows = null;
    if (o.get(ROW_FILTER) != null) {
      rows = new ArrayList<>();
      for (Val r : arr(o.get(ROW_FILTER))) {
        Val.Obj ro = obj(r);
        keys(ro, FIELD, OP, VALUE);
        if (ro.get(VALUE) == null) {
          throw Other.INSTANCE;
        }
        rows.add(new RowFilter(str(ro.get(FIELD)), enumOf(FILTER_OPS, ro.get(OP)), untyped(ro.get(VALUE), true)));
      }
    }
    LimitCap cap = null;
    if (o.get(LIMIT_CAP) != null) {
      Val.Obj c = obj(o.get(LIMIT_CAP));
      keys(c, MAX, MODE);
      long max = c.get(MAX) == null ? 0 : integral(c.get(MAX));
      if (max < 0) {
        throw Other.INSTANCE; // the constructor's error message comes from the Jackson route
      }
      cap = new LimitCap(max, c.get(MODE) == null ? null : enumOf(CAP_MODES, c.get(MODE)));
    }
    ApprovalRequirement approval = null;
    if (o.get(APPROVAL) != null) {
      Val.Obj a = obj(o.get(APPROVAL));
      keys(a, REASON, APPROVER_GROUPS, MIN_APPROVALS, EXPIRES);
      long min = a.get(MIN_APPROVALS) == null ? 0 : integral(a.get(MIN_APPROVALS));
      if (min != (int) min) {
        throw Other.INSTANCE;
      }
      approval = new ApprovalRequirement(a.get(REASON) == null ? null : str(a.get(REASON)),
          a.get(APPROVER_GROUPS) == null ? null : strings(a.get(APPROVER_GROUPS)), (int) min,
          a.get(EXPIRES) == null ? 0 : integral(a.get(EXPIRES)));
    }
    AuditHints audit = null;
    if (o.get(AUDIT) != null) {
      Val.Obj a = obj(o.get(AUDIT));
      keys(a, LABELS, RECORD_PAYLOADS, RECORD_VECTORS);
      Map<String, String> labels = null;
      if (a.get(LABELS) != null) {
        labels = new LinkedHashMap<>();
        for (Map.Entry<Val, Val> e : obj(a.get(LABELS)).map.entrySet()) {
          labels.put(str(e.getKey()), str(e.getValue()));
        }
      }
      audit = new AuditHints(labels, a.get(RECORD_PAYLOADS) != null && bool(a.get(RECORD_PAYLOADS)),
          a.get(RECORD_VECTORS) != null && bool(a.get(RECORD_VECTORS)));
    }
    return new Obligations(masks, strip, rows, cap, approval, audit);
  }

  /** Every key of {@code o} is one of {@code allowed}. */
  private static void keys(Val.Obj o, Val.Str... allowed) {
    if (o.map.size() > allowed.length) {
      throw Other.INSTANCE;
    }
    outer:
    for (Val k : o.map.keySet()) {
      for (Val.Str a : allowed) {
        if (a.equals(k)) {
          continue outer;
        }
      }
      throw Other.INSTANCE;
    }
  }

  private static Val.Obj obj(Val v) {
    if (v instanceof Val.Obj o) {
      return o;
    }
    throw Other.INSTANCE;
  }

  private static List<Val> arr(Val v) {
    if (v instanceof Val.Arr a) {
      return a.items;
    }
    throw Other.INSTANCE;
  }

  private static String str(Val v) {
    if (v instanceof Val.Str s) {
      return s.value;
    }
    throw Other.INSTANCE;
  }

  private static boolean bool(Val v) {
    if (v instanceof Val.Bool b) {
      return b.value;
    }
    throw Other.INSTANCE;
  }

  private static long integral(Val v) {
    if (v instanceof Val.Num n && n.isLong() && n.text().equals(Long.toString(n.longValue()))) {
      return n.longValue();
    }
    throw Other.INSTANCE;
  }

  private static List<String> strings(Val v) {
    List<String> out = new ArrayList<>();
    for (Val s : arr(v)) {
      out.add(str(s));
    }
    return out;
  }

  private static <E> E enumOf(Map<String, E> names, Val v) {
    E e = v == null ? null : names.get(str(v));
    if (e == null) {
      throw Other.INSTANCE;
    }
    return e;
  }

  /** A row filter's value as Jackson reads JSON into Object: String, Boolean, Integer or Long, a list (unmodifiable). */
  private static Object untyped(Val v, boolean top) {
    if (v instanceof Val.Str s) {
      return s.value;
    }
    if (v instanceof Val.Bool b) {
      return b.value;
    }
    if (v instanceof Val.Num) {
      long l = integral(v);
      return l == (int) l ? (Object) (int) l : (Object) l;
    }
    if (top && v instanceof Val.Arr a) {
      List<Object> out = new ArrayList<>(a.items.size());
      for (Val x : a.items) {
        out.add(untyped(x, false));
      }
      return java.util.Collections.unmodifiableList(out); // a reused Decision is shared: nobody may change it
    }
    throw Other.INSTANCE;
  }
}
