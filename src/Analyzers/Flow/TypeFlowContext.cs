using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>What the analysis of one type shares: the resolved types, the type itself and the graphs built so far.</summary>
    internal sealed class TypeFlowContext
    {
        private readonly Dictionary<ControlFlowGraph, FlowGraph> _graphs = new Dictionary<ControlFlowGraph, FlowGraph>();

        public TypeFlowContext(HandoffTypes types, INamedTypeSymbol? containingType, CancellationToken cancellationToken)
        {
            Types = types;
            ContainingType = containingType;
            CancellationToken = cancellationToken;
        }

        public HandoffTypes Types { get; }

        public INamedTypeSymbol? ContainingType { get; }

        public CancellationToken CancellationToken { get; }

        private readonly Dictionary<IMethodSymbol, List<ISymbol>> _fieldsDetachedBy = new Dictionary<IMethodSymbol, List<ISymbol>>(SymbolEqualityComparer.Default);

        /// <summary>The HandoffWebSocket fields or properties a method of the type detaches first (cached per method).</summary>
        public List<ISymbol> FieldsDetachedBy(IMethodSymbol method)
        {
            if (!_fieldsDetachedBy.TryGetValue(method, out var fields))
            {
                fields = EventClassifier.FieldsDetachedBy(method, Types, CancellationToken);
                _fieldsDetachedBy[method] = fields;
            }

            return fields;
        }

        public FlowGraph GetGraph(ControlFlowGraph graph, IMethodSymbol? owner, FlowGraph? parent)
        {
            if (!_graphs.TryGetValue(graph, out var flowGraph))
            {
                flowGraph = new FlowGraph(graph, owner, parent, this);
                _graphs[graph] = flowGraph;
            }

            return flowGraph;
        }
    }
}
