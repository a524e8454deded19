using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// The control-flow graph spills some values into flow captures (receivers of calls whose arguments await,
    /// <c>?.</c>, <c>??</c>, <c>using</c> resources). A capture written once is seen through to the value it holds.
    /// </summary>
    internal sealed class FlowCaptures
    {
        private readonly Dictionary<CaptureId, IOperation?> _values = new Dictionary<CaptureId, IOperation?>();

        public FlowCaptures(ControlFlowGraph graph)
        {
            foreach (var block in graph.Blocks)
            {
                foreach (var operation in block.Operations)
                {
                    if (operation is IFlowCaptureOperation capture)
                    {
                        // Captured in two places (a ?: or ??): no single value.
                        _values[capture.Id] = _values.ContainsKey(capture.Id) ? null : capture.Value;
                    }
                }
            }
        }

        public IOperation? Resolve(IFlowCaptureReferenceOperation reference) =>
            _values.TryGetValue(reference.Id, out var value) ? value : null;
    }
}
