using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers
{
    // WSH006: the detach on some path after the send, found on the control-flow graph when the straight reading of the
    // statements (NonAtomicFinalSendAnalyzer.Follow) does not find it.
    public sealed partial class NonAtomicFinalSendAnalyzer
    {
        private sealed partial class Analysis
        {
            /// <summary>
            /// A detach of the socket that some path from the send reaches with nothing between that touches the socket:
            /// the detach only in a branch or past an early return, a send in a loop, a switch section, a catch or a lock
            /// with the detach after it, a send inside a larger expression. The statement holding the send may mention the
            /// socket only in the send. A path ends at anything that touches the socket (as <see cref="Touches"/> reads it,
            /// jumps aside: the graph follows them), at a return or throw, and at a finally that touches the socket on all
            /// its paths. Catch clauses are not on the path of a send that completed.
            /// </summary>
            private IInvocationOperation? DetachOnSomePath(IInvocationOperation send, ISymbol socket, CancellationToken cancellationToken) =>
                SearchFrom(send, socket, toExit: false, out _, cancellationToken);

            /// <summary>
            /// Searches the graph of the function holding <paramref name="send"/> from it: for a detach some path reaches
            /// cleanly (returned), and with <paramref name="toExit"/> for the end of the function reached cleanly
            /// (<paramref name="reachedExit"/>: the send is the function's last touch of the socket on that path).
            /// </summary>
            private IInvocationOperation? SearchFrom(IInvocationOperation send, ISymbol socket, bool toExit, out bool reachedExit, CancellationToken cancellationToken)
            {
                reachedExit = false;
                ControlFlowGraph? graph = GraphOf(send, cancellationToken);
                if (graph is null)
                {
                    return null;
                }

                SyntaxNode sendSyntax = send.Syntax;
                Dictionary<CaptureId, IOperation> captures = CapturesOf(graph);
                foreach (BasicBlock block in graph.Blocks)
                {
                    int count = block.Operations.Length;
                    for (int i = 0; i <= count; i++)
                    {
                        IOperation? statement = i < count ? block.Operations[i] : block.BranchValue;
                        if (statement is null || !statement.Syntax.Span.Contains(sendSyntax.Span) || !HoldsSend(statement, sendSyntax))
                        {
                            continue;
                        }

                        // Anything else in the send's statement that touches the socket (another send, the socket passed
                        // on, a continuation using it) or detaches it: not this rule's straight pair.
                        if (Classify(statement, socket, sendSyntax.Span, captures, out _) != ScanResult.Clean)
                        {
                            return null;
                        }

                        var search = new PathSearch(this, graph, socket, captures, sendSyntax.Span, toExit);
                        IInvocationOperation? found = search.Explore(block, i + 1, within: null, out _);
                        reachedExit = search.ReachedExit;
                        return found;
                    }
                }

                return null;
            }

            private static bool HoldsSend(IOperation statement, SyntaxNode sendSyntax)
            {
                foreach (IOperation operation in statement.DescendantsAndSelf())
                {
                    if (operation is IInvocationOperation && operation.Syntax == sendSyntax)
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>The graph of the function (method, accessor, lambda, local function) that holds the operation.</summary>
            private static ControlFlowGraph? GraphOf(IOperation operation, CancellationToken cancellationToken)
            {
                var functions = new List<IOperation>();
                IOperation root = operation;
                for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
                {
                    if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        functions.Add(current);
                    }

                    root = current;
                }

                ControlFlowGraph? graph = Flow.FlowGraph.TryCreate(root, cancellationToken);
                for (int i = functions.Count - 1; i >= 0 && graph is not null; i--)
                {
                    graph = functions[i] switch
                    {
                        ILocalFunctionOperation local => graph.LocalFunctions.Contains(local.Symbol)
                            ? graph.GetLocalFunctionControlFlowGraph(local.Symbol, cancellationToken)
                            : null,
                        IAnonymousFunctionOperation lambda => LambdaGraph(graph, lambda.Symbol, cancellationToken),
                        _ => null,
                    };
                }

                return graph;
            }

            private static ControlFlowGraph? LambdaGraph(ControlFlowGraph graph, IMethodSymbol lambda, CancellationToken cancellationToken)
            {
                foreach (BasicBlock block in graph.Blocks)
                {
                    int count = block.Operations.Length;
                    for (int i = 0; i <= count; i++)
                    {
                        IOperation? statement = i < count ? block.Operations[i] : block.BranchValue;
                        if (statement is null)
                        {
                            continue;
                        }

                        foreach (IOperation operation in statement.DescendantsAndSelf())
                        {
                            if (operation is IFlowAnonymousFunctionOperation flow && SymbolEqualityComparer.Default.Equals(flow.Symbol, lambda))
                            {
                                return graph.GetAnonymousFunctionControlFlowGraph(flow, cancellationToken);
                            }
                        }
                    }
                }

                return null;
            }

            /// <summary>
            /// One operation of the graph: the detach (alone, nothing else in it touching the socket), something that touches
            /// the socket, or clean. <paramref name="skip"/> is a span whose operations are not looked at (the send itself).
            /// </summary>
            private ScanResult Classify(
                IOperation statement,
                ISymbol socket,
                TextSpan? skip,
                Dictionary<CaptureId, IOperation> captures,
                out IInvocationOperation? detach)
            {
                detach = null;
                foreach (IOperation operation in statement.DescendantsAndSelf())
                {
                    if (operation is IInvocationOperation invocation
                        && invocation.TargetMethod.Name is "DetachAsync" or "Detach"
                        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, _handoff)
                        && invocation.Instance is not null
                        && SymbolEqualityComparer.Default.Equals(Identity(invocation.Instance), socket)
                        && (skip is null || !skip.Value.Contains(invocation.Syntax.Span)))
                    {
                        if (detach is not null)
                        {
                            // Two detaches in one statement: not a pair this rule reads.
                            return ScanResult.Stop;
                        }

                        detach = invocation;
                    }
                }

                IOperation? receiver = detach?.Instance;
                foreach (IOperation operation in statement.DescendantsAndSelf())
                {
                    if (operation == receiver || operation == detach || (skip is not null && skip.Value.Contains(operation.Syntax.Span)))
                    {
                        continue;
                    }

                    if (TouchesAt(operation, socket, captures))
                    {
                        detach = null;
                        return ScanResult.Stop;
                    }
                }

                return detach is not null ? ScanResult.Detach : ScanResult.Clean;
            }

            /// <summary>
            /// Whether this one operation touches the socket: a reference to it other than to read a property, a call that may
            /// reach it (local function, delegate, member of the type holding the socket field), or a lambda that names it.
            /// </summary>
            private static bool TouchesAt(IOperation operation, ISymbol socket, Dictionary<CaptureId, IOperation> captures)
            {
                bool isMember = socket is not ILocalSymbol && socket is not IParameterSymbol;
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        IMethodSymbol method = invocation.TargetMethod;
                        if (method.MethodKind == MethodKind.LocalFunction
                            || method.MethodKind == MethodKind.DelegateInvoke
                            || (isMember && SymbolEqualityComparer.Default.Equals(method.ContainingType, socket.ContainingType)))
                        {
                            return true;
                        }

                        // The end of a using: Dispose through IDisposable on what the graph captured, the socket itself or
                        // (for a socket field) an instance of the type holding it.
                        IOperation? instance = invocation.Instance is null ? null : Captured(invocation.Instance, captures);
                        return instance is not null
                            && (SymbolEqualityComparer.Default.Equals(Identity(instance), socket)
                                || (isMember && SymbolEqualityComparer.Default.Equals(instance.Type, socket.ContainingType)));

                    case IFlowCaptureReferenceOperation reference when !(operation.Parent is IPropertyReferenceOperation read && read.Instance == operation):
                        // What the graph captured (the resource of a using, the receiver of ?.): the socket, or for a socket
                        // field an instance of the type holding it. Also its null check at the end of a using.
                        IOperation captured = Captured(reference, captures);
                        return captured != reference
                            && (SymbolEqualityComparer.Default.Equals(Identity(captured), socket)
                                || (isMember && SymbolEqualityComparer.Default.Equals(captured.Type, socket.ContainingType)));

                    case IFlowAnonymousFunctionOperation lambda:
                        foreach (SyntaxToken token in lambda.Syntax.DescendantTokens())
                        {
                            if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == socket.Name)
                            {
                                return true;
                            }
                        }

                        return false;

                    case ILocalReferenceOperation:
                    case IParameterReferenceOperation:
                    case IFieldReferenceOperation:
                    case IPropertyReferenceOperation:
                        return SymbolEqualityComparer.Default.Equals(Identity(operation), socket)
                            && !(operation.Parent is IPropertyReferenceOperation property && property.Instance == operation);

                    default:
                        return false;
                }
            }

            /// <summary>What a flow capture reference stands for (through conversions), or the operation itself.</summary>
            private static IOperation Captured(IOperation operation, Dictionary<CaptureId, IOperation> captures)
            {
                for (int i = 0; i < 8; i++)
                {
                    while (operation is IConversionOperation conversion)
                    {
                        operation = conversion.Operand;
                    }

                    if (operation is not IFlowCaptureReferenceOperation reference || !captures.TryGetValue(reference.Id, out IOperation? value))
                    {
                        break;
                    }

                    operation = value;
                }

                return operation;
            }

            /// <summary>The value of each flow capture of the graph.</summary>
            private static Dictionary<CaptureId, IOperation> CapturesOf(ControlFlowGraph graph)
            {
                var captures = new Dictionary<CaptureId, IOperation>();
                foreach (BasicBlock block in graph.Blocks)
                {
                    foreach (IOperation statement in block.Operations)
                    {
                        if (statement is IFlowCaptureOperation capture && !captures.ContainsKey(capture.Id))
                        {
                            captures.Add(capture.Id, capture.Value);
                        }
                    }
                }

                return captures;
            }

            /// <summary>A depth-first walk of the graph from the send, along the branches a completed send can take.</summary>
            private sealed class PathSearch
            {
                private readonly Analysis _analysis;
                private readonly ControlFlowGraph _graph;
                private readonly ISymbol _socket;
                private readonly Dictionary<CaptureId, IOperation> _captures;
                private readonly Dictionary<ControlFlowRegion, (IInvocationOperation? Detach, bool Ends)> _finallies =
                    new Dictionary<ControlFlowRegion, (IInvocationOperation? Detach, bool Ends)>();

                private readonly TextSpan _sendSpan;

                /// <summary>Also stop, and say so, when a path reaches the end of the function (a return, or falling off it).</summary>
                private readonly bool _toExit;

                public PathSearch(Analysis analysis, ControlFlowGraph graph, ISymbol socket, Dictionary<CaptureId, IOperation> captures, TextSpan sendSpan, bool toExit = false)
                {
                    _toExit = toExit;
                    _sendSpan = sendSpan;
                    _captures = captures;
                    _analysis = analysis;
                    _graph = graph;
                    _socket = socket;
                }

                /// <summary>With toExit: some path reached the end of the function with nothing touching the socket.</summary>
                public bool ReachedExit { get; private set; }

                /// <summary>
                /// The detach some path from operation <paramref name="index"/> of <paramref name="start"/> reaches cleanly.
                /// Inside a finally region (<paramref name="within"/>), <paramref name="ends"/> says whether some path
                /// leaves it cleanly, so the branch that runs it goes on.
                /// </summary>
                public IInvocationOperation? Explore(BasicBlock start, int index, ControlFlowRegion? within, out bool ends)
                {
                    ends = false;
                    var visited = new HashSet<int>();
                    var pending = new Stack<(BasicBlock Block, int Index)>();
                    pending.Push((start, index));
                    while (pending.Count > 0)
                    {
                        (BasicBlock block, int from) = pending.Pop();
                        ScanResult result = ScanResult.Clean;
                        IInvocationOperation? detach = null;
                        int count = block.Operations.Length;
                        for (int i = from; i <= count && result == ScanResult.Clean; i++)
                        {
                            IOperation? statement = i < count ? block.Operations[i] : block.BranchValue;
                            if (statement is not null)
                            {
                                result = _analysis.Classify(statement, _socket, skip: null, _captures, out detach);
                                if (result == ScanResult.Clean && i == count && IsTouchingLoop(statement.Syntax))
                                {
                                    // The test of a loop whose body touches the socket (a receive loop waiting for the
                                    // peer's reply): its path through the body ends there, and the path that skips the body
                                    // is not read as the send followed by the detach.
                                    result = ScanResult.Stop;
                                }
                            }
                        }

                        if (result == ScanResult.Detach)
                        {
                            return detach;
                        }

                        if (result == ScanResult.Stop)
                        {
                            continue;
                        }

                        foreach (ControlFlowBranch? branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                        {
                            if (branch is null)
                            {
                                continue;
                            }

                            if (!RunsFinallies(branch, out IInvocationOperation? inFinally))
                            {
                                if (inFinally is not null)
                                {
                                    return inFinally;
                                }

                                continue;
                            }

                            if (_toExit && within is null
                                && (branch.Semantics == ControlFlowBranchSemantics.Return
                                    || (branch.Semantics == ControlFlowBranchSemantics.Regular && branch.Destination?.Kind == BasicBlockKind.Exit)))
                            {
                                ReachedExit = true;
                                return null;
                            }

                            switch (branch.Semantics)
                            {
                                case ControlFlowBranchSemantics.Regular when branch.Destination is { } destination:
                                    if (visited.Add(destination.Ordinal))
                                    {
                                        pending.Push((destination, 0));
                                    }

                                    break;

                                case ControlFlowBranchSemantics.StructuredExceptionHandling when within is not null:
                                    // The end of the finally being explored: the branch that runs it goes on.
                                    ends = true;
                                    break;
                            }

                            // Return, throw, rethrow, the end of a region entered elsewhere: this path ends without a detach.
                        }
                    }

                    return null;
                }

                /// <summary>
                /// Whether <paramref name="test"/> is the test of a while/for/foreach loop (outside its body) that does not
                /// hold the send and whose body touches the socket.
                /// </summary>
                private bool IsTouchingLoop(SyntaxNode test)
                {
                    foreach (SyntaxNode node in test.AncestorsAndSelf())
                    {
                        StatementSyntax? body = node switch
                        {
                            WhileStatementSyntax loop => loop.Statement,
                            ForStatementSyntax loop => loop.Statement,
                            CommonForEachStatementSyntax loop => loop.Statement,
                            _ => null,
                        };

                        if (body is null)
                        {
                            if (node is StatementSyntax && node != test)
                            {
                                // The test belongs to some other statement inside the loop, or is not a loop's at all.
                                return false;
                            }

                            continue;
                        }

                        if (body.Span.Contains(test.Span) || node.Span.Contains(_sendSpan))
                        {
                            return false;
                        }

                        SemanticModel? model = _graph.OriginalOperation.SemanticModel;
                        IOperation? operation = model?.GetOperation(body);
                        if (operation is null)
                        {
                            return false;
                        }

                        foreach (IOperation inner in operation.DescendantsAndSelf())
                        {
                            if (TouchesAt(inner, _socket, _captures))
                            {
                                return true;
                            }
                        }

                        return false;
                    }

                    return false;
                }

                /// <summary>Runs the finally regions a branch passes through: false when none lets the path through.</summary>
                private bool RunsFinallies(ControlFlowBranch branch, out IInvocationOperation? detach)
                {
                    detach = null;
                    foreach (ControlFlowRegion region in branch.FinallyRegions)
                    {
                        if (!_finallies.TryGetValue(region, out (IInvocationOperation? Detach, bool Ends) outcome))
                        {
                            // Placeholder first: a region is not explored again from inside itself.
                            _finallies[region] = (null, false);
                            IInvocationOperation? found = Explore(_graph.Blocks[region.FirstBlockOrdinal], 0, region, out bool ends);
                            outcome = (found, ends);
                            _finallies[region] = outcome;
                        }

                        if (outcome.Detach is not null)
                        {
                            detach = outcome.Detach;
                            return false;
                        }

                        if (!outcome.Ends)
                        {
                            return false;
                        }
                    }

                    return true;
                }
            }
        }
    }
}
