"""Generated documents (日调度, 周分析, 月总结, 周调度会材料) and the dispatch meetings' decisions."""
