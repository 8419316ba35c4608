package io.dualwrite.migrator.backfill;

/**
 * A page range [lo, hi) of one relation with heap pages (the source table, or one leaf partition of it), one row of
 * {@code dualwrite.backfill_range}; {@code next} is the first page not copied yet. One worker at a time owns a range.
 */
final class PageRange {
    final int no;
    /** The relation the range scans, and its file node when the range was planned. */
    final SourceTable.Leaf leaf;
    final long lo;
    final long hi;
    /** Source rows scanned by earlier runs. */
    final long scannedBefore;
    volatile long next;
    volatile boolean complete;

    PageRange(int no, SourceTable.Leaf leaf, long lo, long hi, long next, boolean complete, long scannedBefore) {
        this.no = no;
        this.leaf = leaf;
        this.lo = lo;
        this.hi = hi;
        this.next = next;
        this.complete = complete || next >= hi;
        this.scannedBefore = scannedBefore;
    }

    /** Records a committed batch of {@code pages} pages. */
    void advance(long pages) {
        next += pages;
        complete = next >= hi;
    }

    /** Where the range stands, for progress reports. */
    String position() {
        return "range " + no + " (" + leaf.name() + ") at page " + next + " of " + lo + ".." + hi;
    }
}
