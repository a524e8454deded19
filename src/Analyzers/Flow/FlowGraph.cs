using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// A control-flow graph (of a member body, a lambda or a local function) indexed for the handoff rules:
    /// the events of each block in evaluation order, and each block's successors including the paths through
    /// <c>finally</c> and into <c>catch</c> that the graph leaves implicit.
    /// </summary>
    internal sealed class FlowGraph
    {
        private readonly List<FlowEvent>[] _events;
        private readonly List<Edge>[] _successors;
        private readonly TypeFlowContext _context;
        private readonly List<ControlFlowRegion> _tokenRegions = new List<ControlFlowRegion>();
        private readonly Dictionary<ControlFlowRegion, int> _exceptionTokens = new Dictionary<ControlFlowRegion, int>();

        public FlowGraph(ControlFlowGraph graph, IMethodSymbol? owner, FlowGraph? parent, TypeFlowContext context)
        {
            Graph = graph;
            Owner = owner;
            Parent = parent;
            Captures = new FlowCaptures(graph);
            _events = new List<FlowEvent>[graph.Blocks.Length];
            _successors = new List<Edge>[graph.Blocks.Length];
            var classifier = new EventClassifier(context, this);
            foreach (var block in graph.Blocks)
            {
                var events = new List<FlowEvent>();
                if (block.IsReachable)
                {
                    foreach (var operation in block.Operations)
                    {
                        classifier.Collect(operation, events);
                    }

                    if (block.BranchValue != null)
                    {
                        classifier.Collect(block.BranchValue, events);
                        if (block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return)
                        {
                            classifier.CollectReturn(block.BranchValue);
                            var returned = EventClassifier.Unwrap(block.BranchValue);
                            foreach (var e in events)
                            {
                                if (e.Kind == FlowEventKind.RawUse && e.Operation == returned)
                                {
                                    e.TaskReturned = true;
                                }
                            }
                        }
                    }
                }

                _events[block.Ordinal] = events;
            }

            _context = context;

            ComputeSuccessors();
        }

        public ControlFlowGraph Graph { get; }

        /// <summary>The method, lambda or local function whose body this is (null for initializers).</summary>
        public IMethodSymbol? Owner { get; }

        public FlowGraph? Parent { get; }

        public FlowCaptures Captures { get; }

        /// <summary>Lambdas created in this body (their graphs hang off it).</summary>
        public List<FlowEvent> LambdaEvents { get; } = new List<FlowEvent>();

        /// <summary>Assignments in this body: target, value. Used to follow what a transport wraps.</summary>
        public List<KeyValuePair<RefKey, IOperation>> Assignments { get; } = new List<KeyValuePair<RefKey, IOperation>>();

        /// <summary>
        /// Locals written other than by a simple assignment (a <c>ref</c>/<c>out</c> argument, a deconstruction, a pattern):
        /// what they hold is not known from <see cref="Assignments"/>.
        /// </summary>
        public HashSet<ILocalSymbol> LocalsWrittenOtherwise { get; } = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);

        /// <summary>
        /// Locals a lambda of this body is stored in (<c>Func&lt;Task&gt; sw = () => …;</c>): the lambda's event, or null
        /// when the local is written more than once.
        /// </summary>
        public Dictionary<ILocalSymbol, FlowEvent?> DelegateLocals { get; } = new Dictionary<ILocalSymbol, FlowEvent?>(SymbolEqualityComparer.Default);

        /// <summary>WebSocket locations copied into others (<c>var h = ws;</c>, <c>ws is HandoffWebSocket h</c>): alias, original.</summary>
        public List<KeyValuePair<RefKey, RefKey>> WebSocketAliases { get; } = new List<KeyValuePair<RefKey, RefKey>>();

        /// <summary>References to a location that leave the method: returned, stored in a member, passed to non-BCL code.</summary>
        public List<RefKey> Escapes { get; } = new List<RefKey>();

        public IEnumerable<FlowGraph> Closures
        {
            get
            {
                foreach (var lambda in LambdaEvents)
                {
                    var graph = ResolveClosure(lambda);
                    if (graph != null)
                    {
                        yield return graph;
                    }
                }

                foreach (var localFunction in Graph.LocalFunctions)
                {
                    yield return _context.GetGraph(Graph.GetLocalFunctionControlFlowGraph(localFunction, _context.CancellationToken), localFunction, this);
                }
            }
        }

        /// <summary>The graph of the lambda or local function a <see cref="FlowEventKind.Closure"/> event refers to.</summary>
        public FlowGraph? ResolveClosure(FlowEvent closure)
        {
            if (closure.Closure != null)
            {
                return closure.Closure;
            }

            try
            {
                if (closure.Operation is IFlowAnonymousFunctionOperation lambda)
                {
                    closure.Closure = _context.GetGraph(Graph.GetAnonymousFunctionControlFlowGraphInScope(lambda, _context.CancellationToken), lambda.Symbol, this);
                }
                else if (closure.DelegateLocal != null)
                {
                    closure.Closure = ResolveDelegate(closure.DelegateLocal);
                }
                else if (closure.Callee != null)
                {
                    closure.Closure = _context.GetGraph(Graph.GetLocalFunctionControlFlowGraphInScope(closure.Callee, _context.CancellationToken), closure.Callee, this);
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                // A local function of another graph (not in scope here): treated as an ordinary call.
            }

            return closure.Closure;
        }

        /// <summary>
        /// The lambda a delegate local holds when it is called: the one lambda stored in it (in this body or one around
        /// it), the local written nowhere else.
        /// </summary>
        private FlowGraph? ResolveDelegate(ILocalSymbol local)
        {
            for (var graph = this; graph != null; graph = graph.Parent)
            {
                if (graph.LocalsWrittenOtherwise.Contains(local))
                {
                    return null;
                }

                if (graph.DelegateLocals.TryGetValue(local, out var lambda))
                {
                    return lambda == null || WrittenBelow(graph, local) ? null : graph.ResolveClosure(lambda);
                }
            }

            return null;
        }

        /// <summary>Is the local written in a lambda or local function of <paramref name="graph"/> (a captured delegate replaced)?</summary>
        private static bool WrittenBelow(FlowGraph graph, ILocalSymbol local)
        {
            foreach (var closure in graph.Closures)
            {
                if (closure.LocalsWrittenOtherwise.Contains(local) || closure.DelegateLocals.ContainsKey(local))
                {
                    return true;
                }

                foreach (var assignment in closure.Assignments)
                {
                    if (assignment.Key.IsLocal && SymbolEqualityComparer.Default.Equals(assignment.Key.Symbol, local))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public bool CanAwait => Owner != null && Owner.IsAsync;

        public IReadOnlyList<FlowEvent> EventsOf(int block) => _events[block];

        public IReadOnlyList<Edge> SuccessorsOf(int block) => _successors[block];

        public IEnumerable<FlowEvent> AllEvents
        {
            get
            {
                foreach (var events in _events)
                {
                    foreach (var e in events)
                    {
                        yield return e;
                    }
                }
            }
        }

        public bool TryFind(FlowEvent flowEvent, out int block, out int index)
        {
            for (block = 0; block < _events.Length; block++)
            {
                index = _events[block].IndexOf(flowEvent);
                if (index >= 0)
                {
                    return true;
                }
            }

            block = -1;
            index = -1;
            return false;
        }

        private void ComputeSuccessors()
        {
            var blocks = Graph.Blocks;
            for (var i = 0; i < blocks.Length; i++)
            {
                _successors[i] = new List<Edge>();
            }

            // Where control goes when a finally region ends normally: the next finally of each branch that runs it,
            // or that branch's destination.
            // Each continuation is tagged with the entry token of the branch that runs the finally, so that the dataflow
            // can leave a finally the way it came in (see FinallyToken).
            var finallyContinuations = new Dictionary<ControlFlowRegion, List<Edge>>();
            var entryTokens = new Dictionary<ControlFlowBranch, int>();
            foreach (var block in blocks)
            {
                foreach (var branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                {
                    if (branch == null || branch.FinallyRegions.IsEmpty || IsNeverTaken(block, branch))
                    {
                        continue;
                    }

                    var firstToken = _tokenRegions.Count;
                    foreach (var region in branch.FinallyRegions)
                    {
                        _tokenRegions.Add(region);
                    }

                    entryTokens[branch] = firstToken;
                    for (var k = 0; k < branch.FinallyRegions.Length; k++)
                    {
                        var region = branch.FinallyRegions[k];
                        if (!finallyContinuations.TryGetValue(region, out var list))
                        {
                            finallyContinuations[region] = list = new List<Edge>();
                        }

                        if (k + 1 < branch.FinallyRegions.Length)
                        {
                            list.Add(new Edge(branch.FinallyRegions[k + 1].FirstBlockOrdinal, default).WithTokens(firstToken + k + 1, firstToken + k));
                        }
                        else if (branch.Destination != null)
                        {
                            list.Add(new Edge(branch.Destination.Ordinal, branch.LeavingRegions).WithTokens(-1, firstToken + k));
                        }
                    }
                }
            }

            foreach (var block in blocks)
            {
                var successors = _successors[block.Ordinal];

                // What the block's condition tells about a WebSocket, read once for both branches.
                RefKey? tested = null, stateOf = null;
                bool negated = false, closedPasses = false;
                var detachedTest = block.ConditionKind != ControlFlowConditionKind.None && IsDetachedTest(block.BranchValue, out tested, out negated);
                var stateTest = !detachedTest && block.ConditionKind != ControlFlowConditionKind.None && IsStateTest(block.BranchValue, out stateOf, out closedPasses);
                foreach (var branch in new[] { block.ConditionalSuccessor, block.FallThroughSuccessor })
                {
                    if (branch == null || IsNeverTaken(block, branch))
                    {
                        continue;
                    }

                    if (!branch.FinallyRegions.IsEmpty)
                    {
                        successors.Add(new Edge(branch.FinallyRegions[0].FirstBlockOrdinal, default).WithTokens(entryTokens[branch], -1));
                    }
                    else if (branch.Destination != null)
                    {
                        var edge = new Edge(branch.Destination.Ordinal, branch.LeavingRegions);

                        // Taken when the branch value is (ConditionKind == WhenTrue) for the conditional successor.
                        var whenTrue = branch == block.ConditionalSuccessor
                            ? block.ConditionKind == ControlFlowConditionKind.WhenTrue
                            : block.ConditionKind != ControlFlowConditionKind.WhenTrue;
                        if (detachedTest)
                        {
                            edge = edge.WithGuard(tested, isDetached: whenTrue != negated);
                        }
                        else if (stateTest && whenTrue != closedPasses)
                        {
                            // A HandoffWebSocket reports WebSocketState.Closed once detached: the branch the test takes
                            // for a state other than Closed is not detached (`while (ws.State == WebSocketState.Open)`).
                            // The other branch says nothing (the WebSocket may be closed without a detach).
                            edge = edge.WithGuard(stateOf, isDetached: false);
                        }

                        successors.Add(edge);
                    }
                    else if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
                    {
                        var region = block.EnclosingRegion;
                        while (region != null && region != Graph.Root && region.Kind != ControlFlowRegionKind.Finally && region.Kind != ControlFlowRegionKind.Filter)
                        {
                            region = region.EnclosingRegion;
                        }

                        if (region?.Kind == ControlFlowRegionKind.Finally)
                        {
                            if (finallyContinuations.TryGetValue(region, out var continuations))
                            {
                                successors.AddRange(continuations);
                            }

                            AddHandlers(region.EnclosingRegion, successors, ExceptionToken(region));
                        }
                        else if (region?.Kind == ControlFlowRegionKind.Filter && region.EnclosingRegion != null)
                        {
                            foreach (var sibling in region.EnclosingRegion.NestedRegions)
                            {
                                if (sibling.Kind == ControlFlowRegionKind.Catch)
                                {
                                    successors.Add(new Edge(sibling.FirstBlockOrdinal, default, exceptional: true));
                                }
                            }
                        }
                    }
                }

                // Any operation of the block may throw: the handlers around it are reachable from every point of it.
                AddHandlers(block.EnclosingRegion, successors);
            }
        }

        /// <summary>
        /// A branch on a constant condition (<c>while (true)</c>, <c>do … while (true)</c>, <c>if (false)</c>): the graph keeps
        /// both successors, but one of them never runs (the exit of an endless loop is only reached by <c>break</c>,
        /// <c>goto</c> or <c>return</c>).
        /// </summary>
        private static bool IsNeverTaken(BasicBlock block, ControlFlowBranch branch)
        {
            if (block.ConditionKind == ControlFlowConditionKind.None
                || block.BranchValue == null
                || !block.BranchValue.ConstantValue.HasValue
                || !(block.BranchValue.ConstantValue.Value is bool value))
            {
                return false;
            }

            // The conditional successor is taken when the value is (ConditionKind == WhenTrue); the fall-through otherwise.
            var conditionalTaken = value == (block.ConditionKind == ControlFlowConditionKind.WhenTrue);
            return branch == block.ConditionalSuccessor ? !conditionalTaken : conditionalTaken;
        }

        /// <summary>Is the branch value <c>ws.IsDetached</c> (or <c>!ws.IsDetached</c>)?</summary>
        private bool IsDetachedTest(IOperation? value, out RefKey? webSocket, out bool negated)
        {
            negated = false;
            webSocket = null;
            value = EventClassifier.Unwrap(value);
            for (var depth = 0; depth < 8; depth++)
            {
                if (value is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
                {
                    // !ws.IsDetached
                    negated = !negated;
                    value = EventClassifier.Unwrap(not.Operand);
                }
                else if (value is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                    && (BoolConstant(comparison.RightOperand) ?? BoolConstant(comparison.LeftOperand)) is bool constant)
                {
                    // ws.IsDetached == false, ws.IsDetached != true, true == ws.IsDetached
                    negated ^= !constant ^ (comparison.OperatorKind == BinaryOperatorKind.NotEquals);
                    value = EventClassifier.Unwrap(BoolConstant(comparison.RightOperand) != null ? comparison.LeftOperand : comparison.RightOperand);
                }
                else if (value is IIsPatternOperation isPattern && PatternConstant(isPattern.Pattern, out var matched))
                {
                    // ws.IsDetached is false, ws.IsDetached is not true
                    negated ^= !matched;
                    value = EventClassifier.Unwrap(isPattern.Value);
                }
                else if (value is IIsPatternOperation detachedPattern && MatchesDetached(detachedPattern.Pattern, out var whenDetached))
                {
                    // ws is HandoffWebSocket { IsDetached: true }, ws is not HandoffWebSocket { IsDetached: true }
                    // (the guard the code fix writes for a WebSocket-typed location): true exactly when ws is detached.
                    negated ^= !whenDetached;
                    webSocket = RefKey.Of(EventClassifier.Unwrap(detachedPattern.Value), Captures);
                    return webSocket != null;
                }
                else
                {
                    break;
                }
            }

            if (value is IPropertyReferenceOperation { Property.Name: "IsDetached" } property)
            {
                webSocket = RefKey.Of(property.Instance, Captures);
            }

            return webSocket != null;
        }

        /// <summary>
        /// Is the branch value a test of <c>ws.State</c> against constants (<c>ws.State == WebSocketState.Open</c>,
        /// <c>!= WebSocketState.Closed</c>, <c>is WebSocketState.Open or WebSocketState.CloseSent</c>, negated)?
        /// <paramref name="closedPasses"/> is the test's value for <c>WebSocketState.Closed</c>.
        /// </summary>
        private bool IsStateTest(IOperation? value, out RefKey? webSocket, out bool closedPasses)
        {
            webSocket = null;
            closedPasses = false;
            var negated = false;
            value = EventClassifier.Unwrap(value);
            for (var depth = 0; depth < 8 && value is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not; depth++)
            {
                negated = !negated;
                value = EventClassifier.Unwrap(not.Operand);
            }

            bool? passes = null;
            IOperation? tested = null;
            if (value is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison)
            {
                var left = EventClassifier.Unwrap(comparison.LeftOperand);
                var right = EventClassifier.Unwrap(comparison.RightOperand);
                var constant = StateProperty(left) != null ? right : left;
                tested = StateProperty(left) ?? StateProperty(right);
                if (tested != null && IsClosed(constant) is bool equal)
                {
                    passes = equal == (comparison.OperatorKind == BinaryOperatorKind.Equals);
                }
            }
            else if (value is IIsPatternOperation isPattern && StateProperty(EventClassifier.Unwrap(isPattern.Value)) is { } property)
            {
                tested = property;
                passes = ClosedMatches(isPattern.Pattern, 0);
            }

            if (passes is bool result && tested is IPropertyReferenceOperation stateRead)
            {
                webSocket = RefKey.Of(stateRead.Instance, Captures);
                closedPasses = result != negated;
            }

            return webSocket != null;
        }

        /// <summary><c>x.State</c> where <c>x</c> is a WebSocket (the property returns <c>WebSocketState</c>).</summary>
        private static IPropertyReferenceOperation? StateProperty(IOperation? operation) =>
            operation is IPropertyReferenceOperation { Property.Name: "State", Instance: not null } property && IsWebSocketState(property.Type)
                ? property
                : null;

        /// <summary><c>System.Net.WebSockets.WebSocketState</c>.</summary>
        private static bool IsWebSocketState(ITypeSymbol? type) =>
            type is INamedTypeSymbol { Name: "WebSocketState", TypeKind: TypeKind.Enum } stateType
            && stateType.ContainingNamespace?.ToDisplayString() == "System.Net.WebSockets";

        /// <summary>Is the constant <c>WebSocketState.Closed</c>? Null when it is not a constant state.</summary>
        private static bool? IsClosed(IOperation? operation)
        {
            operation = EventClassifier.Unwrap(operation);
            if (operation == null || !operation.ConstantValue.HasValue || !IsWebSocketState(operation.Type))
            {
                return null;
            }

            foreach (var member in operation.Type!.GetMembers("Closed"))
            {
                if (member is IFieldSymbol { HasConstantValue: true } closed)
                {
                    return Equals(closed.ConstantValue, operation.ConstantValue.Value);
                }
            }

            return null;
        }

        /// <summary>Does <c>WebSocketState.Closed</c> match the pattern? Null when the pattern is not made of state constants.</summary>
        private static bool? ClosedMatches(IPatternOperation pattern, int depth)
        {
            if (depth > 16)
            {
                return null;
            }

            switch (pattern)
            {
                case IConstantPatternOperation constant:
                    return IsClosed(constant.Value);
                case INegatedPatternOperation negatedPattern:
                    return !ClosedMatches(negatedPattern.Pattern, depth + 1);
                case IBinaryPatternOperation binary:
                    var left = ClosedMatches(binary.LeftPattern, depth + 1);
                    var right = ClosedMatches(binary.RightPattern, depth + 1);
                    if (left == null || right == null)
                    {
                        return null;
                    }

                    return binary.OperatorKind == BinaryOperatorKind.Or ? left.Value || right.Value : left.Value && right.Value;
                default:
                    return null;
            }
        }

        private static bool? BoolConstant(IOperation? operation)
        {
            operation = EventClassifier.Unwrap(operation);
            return operation is ILiteralOperation && operation.ConstantValue.HasValue && operation.ConstantValue.Value is bool value ? value : (bool?)null;
        }

        /// <summary>
        /// <c>{ IsDetached: true }</c> (with a type, or <c>not</c> around it): <paramref name="whenDetached"/> is whether it
        /// matches a detached WebSocket. Only <c>true</c> counts: <c>{ IsDetached: false }</c> also fails for a WebSocket
        /// that is no HandoffWebSocket, so its failing does not say "detached".
        /// </summary>
        private static bool MatchesDetached(IPatternOperation pattern, out bool whenDetached)
        {
            whenDetached = false;
            switch (pattern)
            {
                case INegatedPatternOperation negatedPattern when MatchesDetached(negatedPattern.Pattern, out var inner):
                    whenDetached = !inner;
                    return true;
                case IRecursivePatternOperation recursive
                    when recursive.DeconstructionSubpatterns.IsEmpty
                        && recursive.PropertySubpatterns.Length == 1
                        && recursive.PropertySubpatterns[0].Member is IPropertyReferenceOperation { Property.Name: "IsDetached" }
                        && recursive.PropertySubpatterns[0].Pattern is IConstantPatternOperation constant
                        && BoolConstant(constant.Value) == true:
                    whenDetached = true;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>A pattern <c>true</c>/<c>false</c>, or <c>not</c> one: <paramref name="matched"/> is the value it matches.</summary>
        private static bool PatternConstant(IPatternOperation pattern, out bool matched)
        {
            matched = false;
            switch (pattern)
            {
                case IConstantPatternOperation constant when BoolConstant(constant.Value) is bool value:
                    matched = value;
                    return true;
                case INegatedPatternOperation negatedPattern when PatternConstant(negatedPattern.Pattern, out var inner):
                    matched = !inner;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The token of a finally region entered by an exception: its end passes the exception on to the handlers around it.
        /// </summary>
        private int ExceptionToken(ControlFlowRegion finallyRegion)
        {
            if (!_exceptionTokens.TryGetValue(finallyRegion, out var token))
            {
                token = _tokenRegions.Count;
                _tokenRegions.Add(finallyRegion);
                _exceptionTokens[finallyRegion] = token;
            }

            return token;
        }

        /// <summary>The finally region a token enters.</summary>
        public ControlFlowRegion TokenRegion(int token) => _tokenRegions[token];

        /// <summary>Is block <paramref name="block"/> inside the finally region of <paramref name="token"/>?</summary>
        public bool IsInTokenRegion(int token, int block)
        {
            var region = _tokenRegions[token];
            return region.FirstBlockOrdinal <= block && block <= region.LastBlockOrdinal;
        }

        /// <param name="continuationOf">For the end of a finally entered by an exception: that entry's token.</param>
        private void AddHandlers(ControlFlowRegion? region, List<Edge> successors, int continuationOf = -1)
        {
            // The root region of a lambda's graph hangs off the regions of the graph around it: stop at our own root.
            for (; region != null && region != Graph.Root; region = region.EnclosingRegion)
            {
                if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion == null)
                {
                    continue;
                }

                var tryAnd = region.EnclosingRegion;
                if (tryAnd.Kind == ControlFlowRegionKind.TryAndCatch)
                {
                    for (var i = 1; i < tryAnd.NestedRegions.Length; i++)
                    {
                        successors.Add(new Edge(tryAnd.NestedRegions[i].FirstBlockOrdinal, default, exceptional: true).WithTokens(-1, continuationOf));
                    }
                }
                else if (tryAnd.Kind == ControlFlowRegionKind.TryAndFinally && tryAnd.NestedRegions.Length > 1)
                {
                    // The finally runs, then the exception goes on from there (see the finally's own successors).
                    successors.Add(new Edge(tryAnd.NestedRegions[1].FirstBlockOrdinal, default, exceptional: true)
                        .WithTokens(ExceptionToken(tryAnd.NestedRegions[1]), continuationOf));
                    return;
                }
            }
        }

        internal readonly struct Edge
        {
            public Edge(int destination, System.Collections.Immutable.ImmutableArray<ControlFlowRegion> leaving, bool exceptional = false, RefKey? guardWebSocket = null, bool guardIsDetached = false, int enters = -1, int continuationOf = -1)
            {
                Enters = enters;
                ContinuationOf = continuationOf;
                GuardWebSocket = guardWebSocket;
                GuardIsDetached = guardIsDetached;
                Destination = destination;
                Leaving = leaving.IsDefault ? System.Collections.Immutable.ImmutableArray<ControlFlowRegion>.Empty : leaving;
                Exceptional = exceptional;
            }

            public int Destination { get; }

            /// <summary>Taken only when <c>GuardWebSocket.IsDetached</c> is <see cref="GuardIsDetached"/>.</summary>
            public RefKey? GuardWebSocket { get; }

            public bool GuardIsDetached { get; }

            public Edge WithGuard(RefKey? webSocket, bool isDetached) =>
                new Edge(Destination, Leaving, Exceptional, webSocket, isDetached, Enters, ContinuationOf);

            public Edge WithTokens(int enters, int continuationOf) =>
                new Edge(Destination, Leaving, Exceptional, GuardWebSocket, GuardIsDetached, enters, continuationOf);

            /// <summary>
            /// The token of the finally this edge enters (-1 if none): which branch runs it (and where that branch goes
            /// after it), or an exception. See <see cref="ContinuationOf"/>.
            /// </summary>
            public int Enters { get; }

            /// <summary>
            /// On the end of a finally: the token of the entry this way out belongs to (-1 for an edge every entry takes).
            /// Without it a finally entered on one path (an exception before a detach) would leave on the ways of all the
            /// others (the code after the <c>try</c>), with the state of its entry.
            /// </summary>
            public int ContinuationOf { get; }

            /// <summary>Regions left on the way: locals declared in them are gone (a new iteration gets new ones).</summary>
            public System.Collections.Immutable.ImmutableArray<ControlFlowRegion> Leaving { get; }

            /// <summary>Taken when an operation of the block throws: it starts from any point of the block.</summary>
            public bool Exceptional { get; }
        }

        internal static ControlFlowGraph? TryCreate(IOperation block, CancellationToken cancellationToken)
        {
            try
            {
                switch (block)
                {
                    case IMethodBodyOperation methodBody:
                        return ControlFlowGraph.Create(methodBody, cancellationToken);
                    case IConstructorBodyOperation constructorBody:
                        return ControlFlowGraph.Create(constructorBody, cancellationToken);
                    case IBlockOperation body when body.Parent == null:
                        return ControlFlowGraph.Create(body, cancellationToken);
                    case IFieldInitializerOperation fieldInitializer:
                        return ControlFlowGraph.Create(fieldInitializer, cancellationToken);
                    case IPropertyInitializerOperation propertyInitializer:
                        return ControlFlowGraph.Create(propertyInitializer, cancellationToken);
                    default:
                        return null;
                }
            }
            catch (ArgumentException)
            {
                // Not a root the graph builder accepts (seen with some error recovery trees): nothing to analyze.
                return null;
            }
        }
    }
}
