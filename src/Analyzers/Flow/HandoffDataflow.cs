using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Forward "may" dataflow over a <see cref="FlowGraph"/> for one WebSocket: from a start point (its creation, a detach,
    /// or the entry of another member), which states can reach each event. States are small bit sets, merged by union,
    /// so loops (back-edges) reach a fixed point after a few passes.
    /// </summary>
    internal sealed class HandoffDataflow
    {
        /// <summary>The WebSocket may own its transport: created and not detached on some path to here.</summary>
        public const int Live = 1;

        /// <summary>A detach of the WebSocket may have run.</summary>
        public const int Detached = 2;

        /// <summary>A raw use of the transport may have run.</summary>
        public const int RawUsed = 4;

        /// <summary>A raw use may have been started and still be running (not awaited, or in a lambda).</summary>
        public const int RawRunning = 8;

        /// <summary>
        /// In a lambda or local function: a raw use whose task the body returns may still be running at its end; it has
        /// finished once the caller awaits the body's task. Never leaves <see cref="TransferClosure"/>.
        /// </summary>
        private const int RawReturned = 16;

        /// <summary>
        /// No raw use of the roots has run yet since the start (set only by the caller's start state): the plan's check of
        /// what the fix's detach comes before (<see cref="HandoffPlan"/>).
        /// </summary>
        public const int NoRawYet = 32;

        private const int RawBits = RawUsed | RawRunning | RawReturned;

        private const int MaxClosureDepth = 8;

        private readonly RefKey? _webSocket;
        private readonly HashSet<RefKey> _aliases = new HashSet<RefKey>();
        private readonly HashSet<ILocalSymbol> _rawTasks = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        private readonly HashSet<RefKey> _roots;
        private readonly FlowEvent? _creation;
        private readonly IMethodSymbol? _creatingMember;
        private readonly HashSet<ISymbol> _killLocals;
        private readonly Dictionary<KeyValuePair<FlowGraph, int>, int> _closureExits = new Dictionary<KeyValuePair<FlowGraph, int>, int>();
        private int _closureDepth;

        /// <summary>
        /// In a lambda or local function: the raw uses that ran before it was created or called (the closure runs without
        /// the raw bits, so that its exit says what it did itself); a close inside it comes after them.
        /// </summary>
        private int _closureRawContext;

        public HandoffDataflow(RefKey? webSocket, HashSet<RefKey> roots, FlowEvent? creation, IMethodSymbol? creatingMember)
        {
            _webSocket = webSocket;
            _roots = roots;
            _creation = creation;
            _creatingMember = creatingMember;
            _killLocals = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        }

        // One site per event, its state the union of the states seen: the worklist visits a block once per change of its
        // entry state, and a list with a site per visit grew with every loop and merge point.
        private readonly Dictionary<FlowEvent, int> _liveRawUseIndex = new Dictionary<FlowEvent, int>();
        private readonly Dictionary<FlowEvent, int> _closeIndex = new Dictionary<FlowEvent, int>();
        private readonly Dictionary<FlowEvent, int> _sendIndex = new Dictionary<FlowEvent, int>();

        private static void AddSite(List<Site> sites, Dictionary<FlowEvent, int> index, Site site)
        {
            if (index.TryGetValue(site.Event, out var at))
            {
                var seen = sites[at];
                if ((seen.State | site.State) != seen.State)
                {
                    sites[at] = new Site(seen.Event, seen.Graph, seen.State | site.State);
                }

                return;
            }

            index[site.Event] = sites.Count;
            sites.Add(site);
        }

        /// <summary>Raw uses reached while the WebSocket may own the transport.</summary>
        public List<Site> LiveRawUses { get; } = new List<Site>();

        /// <summary>Close/Dispose/Abort/using-end of the WebSocket, with the states that reach it.</summary>
        public List<Site> Closes { get; } = new List<Site>();

        /// <summary>Methods of the type called while the WebSocket may own the transport.</summary>
        public HashSet<IMethodSymbol> CalledWhileLive { get; } = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

        /// <summary>SendAsync/ReceiveAsync of the WebSocket reached after a detach.</summary>
        public List<Site> SendsAfterDetach { get; } = new List<Site>();

        /// <summary>Other locations the WebSocket is copied into (<c>var h = ws;</c>, <c>ws is HandoffWebSocket h</c>).</summary>
        public void AddAliases(IEnumerable<KeyValuePair<RefKey, RefKey>> aliases)
        {
            if (_webSocket == null)
            {
                return;
            }

            var list = new List<KeyValuePair<RefKey, RefKey>>(aliases);
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var alias in list)
                {
                    if (IsWebSocket(alias.Value) && !IsWebSocket(alias.Key))
                    {
                        _aliases.Add(alias.Key);
                        changed = true;
                    }
                }
            }
        }

        /// <summary>
        /// Leaving the scope of this local (forward, or back to the top of a loop) ends what is tracked: a loop that
        /// comes back into the scope gets a new one. Used for the
        /// transport of a creation (an accept loop: a new connection each iteration) and the WebSocket of a detach.
        /// The WebSocket of a creation is not one: its transport, declared outside the loop, is still the same stream.
        /// </summary>
        public void AddKillLocal(RefKey? key)
        {
            if (key != null && key.IsLocal)
            {
                _killLocals.Add(key.Symbol);
            }
        }

        /// <summary>
        /// Runs from just after <paramref name="start"/> (an event of <paramref name="graph"/>); returns the state that
        /// reaches the end of the graph.
        /// </summary>
        public int RunFrom(FlowGraph graph, FlowEvent start, int state)
        {
            if (graph.TryFind(start, out var block, out var index))
            {
                return Run(graph, block, index + 1, state);
            }

            return 0;
        }

        public int RunFromEntry(FlowGraph graph, int state) => Run(graph, 0, 0, state);

        /// <summary>Runs from event <paramref name="index"/> of block <paramref name="block"/> (that event included).</summary>
        public int RunFromPoint(FlowGraph graph, int block, int index, int state) => Run(graph, block, index, state);

        /// <summary>Contexts beyond this many are not told apart: a finally then leaves on the ways of all its entries.</summary>
        private const int MaxFinallyContexts = 64;

        private int Run(FlowGraph graph, int startBlock, int startIndex, int startState)
        {
            // A state is kept per block and per finally context: the entries of the finally regions the block is in
            // (a stack, interned; 0 is none). A finally entered by `return` leaves to the return's destination, one entered
            // by an exception to the handlers around it, each with its own state: a path that detached and returned from
            // inside a `try` does not reach the statements after it through the `finally`.
            var blockCount = graph.Graph.Blocks.Length;
            var inStates = new List<int[]> { new int[blockCount] };
            var queuedFlags = new List<bool[]> { new bool[blockCount] };
            var contextParent = new List<int> { 0 };
            var contextToken = new List<int> { -1 };
            Dictionary<long, int>? interned = null;
            var queue = new Queue<KeyValuePair<int, int>>();

            int Push(int context, int token)
            {
                interned ??= new Dictionary<long, int>();
                var key = ((long)context << 32) | (uint)token;
                if (!interned.TryGetValue(key, out var pushed))
                {
                    if (contextParent.Count >= MaxFinallyContexts)
                    {
                        return context;
                    }

                    pushed = contextParent.Count;
                    contextParent.Add(context);
                    contextToken.Add(token);
                    inStates.Add(new int[blockCount]);
                    queuedFlags.Add(new bool[blockCount]);
                    interned[key] = pushed;
                }

                return pushed;
            }

            void Enqueue(int block, int context, int state)
            {
                if ((uint)block >= (uint)blockCount)
                {
                    return;
                }

                var inState = inStates[context];
                if ((inState[block] | state) != inState[block])
                {
                    inState[block] |= state;
                    if (!queuedFlags[context][block])
                    {
                        queuedFlags[context][block] = true;
                        queue.Enqueue(new KeyValuePair<int, int>(block, context));
                    }
                }
            }

            void Process(int block, int context, int from, int state)
            {
                // The states an exception can leave the block in: the state before each event and at the end. Not the state
                // just before storing a value (that does not throw) or before an await of a stored raw task (if the await
                // throws, the task has finished), nor between two events of one operation (the source and the destination
                // of a CopyToAsync): `var t = stream.CopyToAsync(o); await t;` leaves nothing running.
                var union = state;
                var events = graph.EventsOf(block);
                for (var i = from; i < events.Count && state != 0; i++)
                {
                    if (events[i].Kind != FlowEventKind.TaskAwaited
                        && events[i].Kind != FlowEventKind.Assign
                        && (i == from || events[i - 1].Operation != events[i].Operation))
                    {
                        union |= state;
                    }

                    state = Transfer(graph, events[i], state);
                }

                union |= state;

                foreach (var edge in graph.SuccessorsOf(block))
                {
                    var top = contextToken[context];
                    if (edge.ContinuationOf >= 0
                        && top >= 0
                        && top != edge.ContinuationOf
                        && graph.TokenRegion(top) == graph.TokenRegion(edge.ContinuationOf))
                    {
                        // The end of a finally whose entry is known: only that entry's way out.
                        continue;
                    }

                    var next = edge.Exceptional ? union : state;
                    if (next != 0 && edge.GuardWebSocket != null && IsWebSocket(edge.GuardWebSocket))
                    {
                        // if (ws.IsDetached) / if (!ws.IsDetached): the branch knows which it is.
                        next &= edge.GuardIsDetached ? ~Live : ~Detached;
                    }

                    if (next != 0 && Kills(edge))
                    {
                        // Leaving the scope of the local: code after it cannot name it, and a loop that comes back
                        // into the scope (back-edge of a while, or body → increment of a for) gets a new one.
                        next = 0;
                    }

                    if (next == 0)
                    {
                        continue;
                    }

                    var nextContext = context;
                    while (nextContext != 0 && !graph.IsInTokenRegion(contextToken[nextContext], edge.Destination))
                    {
                        nextContext = contextParent[nextContext];
                    }

                    if (edge.Enters >= 0)
                    {
                        nextContext = Push(nextContext, edge.Enters);
                    }

                    Enqueue(edge.Destination, nextContext, next);
                }
            }

            Process(startBlock, 0, startIndex, startState);
            while (queue.Count > 0)
            {
                var item = queue.Dequeue();
                queuedFlags[item.Value][item.Key] = false;
                Process(item.Key, item.Value, 0, inStates[item.Value][item.Key]);
            }

            var exit = 0;
            foreach (var inState in inStates)
            {
                exit |= inState[blockCount - 1];
            }

            return exit;
        }

        private bool Kills(FlowGraph.Edge edge)
        {
            if (_killLocals.Count == 0)
            {
                return false;
            }

            foreach (var region in edge.Leaving)
            {
                foreach (var local in region.Locals)
                {
                    if (_killLocals.Contains(local))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private int Transfer(FlowGraph graph, FlowEvent flowEvent, int state)
        {
            switch (flowEvent.Kind)
            {
                case FlowEventKind.Creation:
                    if (flowEvent == _creation)
                    {
                        return Live;
                    }

                    return IsWebSocket(flowEvent.Key) ? 0 : state;

                case FlowEventKind.Assign:
                    if (IsWebSocket(flowEvent.Key) && !IsWebSocket(flowEvent.AliasOf))
                    {
                        return 0;
                    }

                    // A root (or the location a root is read from: `client` of `client.GetStream()`) gets another value:
                    // from here on that name is another stream (a new connection of an accept loop), unless the value is
                    // still the transport or wraps it (`s = new SslStream(s)`).
                    return (state & Live) != 0 && IsRootOrRootInstance(flowEvent.Key) && !IsOrWrapsRoot(graph, AssignedValue(flowEvent), 0)
                        ? state & ~Live
                        : state;

                case FlowEventKind.Detach:
                    return IsWebSocket(flowEvent.Key) ? (state & ~Live) | Detached : state;

                case FlowEventKind.RawUse:
                    if (flowEvent.RootKey == null || !_roots.Contains(flowEvent.RootKey))
                    {
                        return state;
                    }

                    if ((state & Live) != 0)
                    {
                        AddSite(LiveRawUses, _liveRawUseIndex, new Site(flowEvent, graph, state));
                    }

                    if (flowEvent.MayStillRun && flowEvent.TaskStoredIn != null)
                    {
                        _rawTasks.Add(flowEvent.TaskStoredIn);
                    }

                    state &= ~NoRawYet;
                    if (!flowEvent.MayStillRun)
                    {
                        return state | RawUsed;
                    }

                    return state | RawUsed | (flowEvent.TaskReturned && graph.Parent != null ? RawReturned : RawRunning);

                case FlowEventKind.TaskAwaited:
                    // Awaiting the stored task of a raw call: it has finished (one bit for all of them: precision first).
                    return flowEvent.Key?.Symbol is ILocalSymbol local && _rawTasks.Contains(local) ? state & ~RawRunning : state;

                case FlowEventKind.Close:
                    if (IsWebSocket(flowEvent.Key))
                    {
                        AddSite(Closes, _closeIndex, new Site(flowEvent, graph, state | _closureRawContext));
                    }

                    return state;

                case FlowEventKind.SendReceive:
                    if ((state & Detached) != 0 && IsWebSocket(flowEvent.Key))
                    {
                        AddSite(SendsAfterDetach, _sendIndex, new Site(flowEvent, graph, state));
                    }

                    return state;

                case FlowEventKind.MemberCall:
                    if ((state & Live) != 0 && flowEvent.Callee != null)
                    {
                        CalledWhileLive.Add(flowEvent.Callee);
                    }

                    return _creatingMember != null && SymbolEqualityComparer.Default.Equals(flowEvent.Callee, _creatingMember) ? Live : state;

                case FlowEventKind.Closure:
                    return TransferClosure(graph, flowEvent, state);

                default:
                    return state;
            }
        }

        private int TransferClosure(FlowGraph graph, FlowEvent flowEvent, int state)
        {
            var closure = graph.ResolveClosure(flowEvent);
            if (closure == null || _closureDepth >= MaxClosureDepth)
            {
                return state;
            }

            // Run the closure without the raw-use bits from outside, so what comes back says what the closure itself did.
            var outside = state & RawBits;
            var entry = state & ~RawBits;
            if (entry == 0)
            {
                return state;
            }

            // A raw use before the closure: a close inside it comes after that use (its own state has no raw bits).
            var context = _closureRawContext | (outside & RawUsed);
            var key = new KeyValuePair<FlowGraph, int>(closure, entry | (context << 8));
            if (!_closureExits.TryGetValue(key, out var exit))
            {
                // Recursion (a local function calling itself) sees the state unchanged.
                _closureExits[key] = entry;
                var outerContext = _closureRawContext;
                _closureRawContext = context;
                _closureDepth++;
                exit = RunFromEntry(closure, entry);
                _closureDepth--;
                _closureRawContext = outerContext;
                _closureExits[key] = exit;
            }

            var rawInside = exit & RawBits;
            if (flowEvent.ClosureIsDeferred)
            {
                // A lambda may run later, concurrently: its raw uses may still be running; its detach may not have happened.
                // Handed to a task runner of the BCL (Task.Run, Parallel.ForEachAsync) whose task is awaited here, it has
                // run to its end (and the task it returns with it, except with StartNew, which does not unwrap it).
                var runner = RunnerOf(flowEvent.Operation);
                if (RunsToItsEndHere(flowEvent.Operation))
                {
                    // `await Task.Run(() => …)`: the lambda ran once, to its end (its task unwrapped): a detach in it counts.
                    return exit == 0 ? state : (exit & ~RawReturned) | outside;
                }

                if (rawInside != 0 && runner != null && EventClassifier.IsAwaited(runner))
                {
                    var returnedRuns = runner.TargetMethod.Name == "StartNew" && (exit & RawReturned) != 0;
                    return state | (exit & (RawUsed | RawRunning)) | (returnedRuns ? RawRunning : 0);
                }

                if (rawInside != 0 && runner != null && EventClassifier.StoredIn(runner) is { } task)
                {
                    // var pump = Task.Run(() => …); … await pump;
                    _rawTasks.Add(task);
                }

                return state | (rawInside & ~RawReturned) | (rawInside != 0 ? RawRunning : 0);
            }

            var awaited = EventClassifier.IsAwaited(flowEvent.Operation);
            if (awaited || closure.Owner == null || !closure.Owner.IsAsync)
            {
                // Called and finished here: the state after it is the state at its end (a detach inside it counts).
                // A raw task it returns has finished if the call is awaited, and runs on if it is not.
                if (exit == 0)
                {
                    return state;
                }

                var returnedRuns = !awaited && (exit & RawReturned) != 0;
                if (returnedRuns && EventClassifier.StoredIn(flowEvent.Operation) is { } task)
                {
                    _rawTasks.Add(task);
                }

                return (exit & ~RawReturned) | outside | (returnedRuns ? RawRunning : 0);
            }

            return state | (exit & ~RawReturned) | (rawInside != 0 ? RawRunning : 0);
        }

        /// <summary>Is this lambda handed to an awaited <c>Task.Run</c> (which runs it exactly once and unwraps its task)?</summary>
        internal static bool RunsToItsEndHere(IOperation lambda) =>
            RunnerOf(lambda) is { TargetMethod: { Name: "Run", ContainingType.Name: "Task" } } runner && EventClassifier.IsAwaited(runner);

        /// <summary>The call of a BCL task runner (<c>Task.Run</c>, <c>Task.Factory.StartNew</c>, <c>Parallel.ForEachAsync</c>) a lambda is handed to.</summary>
        private static Microsoft.CodeAnalysis.Operations.IInvocationOperation? RunnerOf(IOperation lambda)
        {
            var parent = lambda.Parent;
            while (parent is Microsoft.CodeAnalysis.Operations.IDelegateCreationOperation
                || parent is Microsoft.CodeAnalysis.Operations.IConversionOperation
                || parent is Microsoft.CodeAnalysis.Operations.IParenthesizedOperation)
            {
                parent = parent.Parent;
            }

            if (parent is Microsoft.CodeAnalysis.Operations.IArgumentOperation { Parent: Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation }
                && invocation.TargetMethod.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
            {
                return invocation;
            }

            return null;
        }

        private bool IsRootOrRootInstance(RefKey? key)
        {
            if (key == null)
            {
                return false;
            }

            foreach (var root in _roots)
            {
                for (var current = root; current != null; current = current.Instance)
                {
                    if (current.Equals(key))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static IOperation? AssignedValue(FlowEvent assign) =>
            assign.Operation is Microsoft.CodeAnalysis.Operations.IAssignmentOperation assignment ? assignment.Value : null;

        private bool IsOrWrapsRoot(FlowGraph graph, IOperation? value, int depth)
        {
            value = EventClassifier.Unwrap(value);
            if (value == null || depth > 8)
            {
                return false;
            }

            if (value is Microsoft.CodeAnalysis.FlowAnalysis.IFlowCaptureReferenceOperation capture)
            {
                return IsOrWrapsRoot(graph, graph.Captures.Resolve(capture), depth + 1);
            }

            var key = RefKey.Of(value, graph.Captures);
            if (key != null)
            {
                return _roots.Contains(key);
            }

            if (value is Microsoft.CodeAnalysis.Operations.IObjectCreationOperation creation)
            {
                foreach (var argument in creation.Arguments)
                {
                    if (argument.Parameter?.Ordinal == 0)
                    {
                        return IsOrWrapsRoot(graph, argument.Value, depth + 1);
                    }
                }
            }

            return false;
        }

        private bool IsWebSocket(RefKey? key) => key != null && _webSocket != null && (key.Equals(_webSocket) || _aliases.Contains(key));

        /// <summary>An event of a graph, with the states that reached it.</summary>
        internal readonly struct Site
        {
            public Site(FlowEvent flowEvent, FlowGraph graph, int state)
            {
                Event = flowEvent;
                Graph = graph;
                State = state;
            }

            public FlowEvent Event { get; }

            public FlowGraph Graph { get; }

            public int State { get; }
        }
    }
}
