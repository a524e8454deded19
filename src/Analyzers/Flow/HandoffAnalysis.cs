using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// One code block of a member (method body, constructor body, initializer). Its operation tree is made only when asked
    /// for: most members are settled from their text, and asking the driver for every member's operations (an operation
    /// block action) had it build the operation trees of every member of every type in a file that names a creation.
    /// </summary>
    internal sealed class MemberBody
    {
        private readonly SemanticModel? _model;
        private IOperation? _root;
        private bool _resolved;

        public MemberBody(ISymbol owner, IOperation root)
        {
            Owner = owner;
            Syntax = root.Syntax;
            _root = root;
            _resolved = true;
        }

        public MemberBody(ISymbol owner, SyntaxNode syntax, SemanticModel model)
        {
            Owner = owner;
            Syntax = syntax;
            _model = model;
        }

        public ISymbol Owner { get; }

        /// <summary>The semantic model the block came with (what <see cref="SyntaxScreen"/> asks about names and types).</summary>
        public SemanticModel? Model => _model ?? _root?.SemanticModel;

        /// <summary>The code block's syntax: what the text checks read and the order sorts by.</summary>
        public SyntaxNode Syntax { get; }

        /// <summary>The root of the block's operation tree, or null when the block has none (broken code).</summary>
        public IOperation? Root
        {
            get
            {
                if (!_resolved)
                {
                    _root = ResolveRoot(_model!, Syntax, Owner);
                    _resolved = true;
                }

                return _root;
            }
        }

        private static IOperation? ResolveRoot(SemanticModel model, SyntaxNode syntax, ISymbol owner)
        {
            // The block's own node (a method, accessor, constructor), else a part of it: a field's declarator gives back
            // an orphan declarator operation, its initializer clause the initializer a graph can be built from.
            var root = GraphRootOf(model.GetOperation(syntax));
            if (root != null)
            {
                return root;
            }

            foreach (var child in syntax.ChildNodes())
            {
                root = GraphRootOf(model.GetOperation(child));
                if (root != null)
                {
                    return root;
                }
            }

            // A field's block is the whole declaration: the initializer of this field's own declarator.
            if (syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BaseFieldDeclarationSyntax field)
            {
                foreach (var declarator in field.Declaration.Variables)
                {
                    if (declarator.Initializer != null && declarator.Identifier.ValueText == owner.Name)
                    {
                        return GraphRootOf(model.GetOperation(declarator.Initializer));
                    }
                }
            }

            return null;
        }

        private static IOperation? GraphRootOf(IOperation? operation)
        {
            while (operation?.Parent != null)
            {
                operation = operation.Parent;
            }

            switch (operation?.Kind)
            {
                case OperationKind.MethodBody:
                case OperationKind.ConstructorBody:
                case OperationKind.Block:
                case OperationKind.FieldInitializer:
                case OperationKind.PropertyInitializer:
                case OperationKind.ParameterInitializer:
                    return operation;
                default:
                    return null;
            }
        }
    }

    /// <summary>What the flow analysis found about one creation.</summary>
    internal sealed class CreationResult
    {
        public CreationResult(FlowEvent creation, FlowGraph graph, MemberBody member, bool isHandoff, HashSet<RefKey> roots)
        {
            Creation = creation;
            Graph = graph;
            Member = member;
            IsHandoff = isHandoff;
            Roots = roots;
        }

        public FlowEvent Creation { get; }

        public FlowGraph Graph { get; }

        public MemberBody Member { get; }

        public bool IsHandoff { get; }

        public RefKey? WebSocketKey => Creation.Key;

        public RefKey? TransportKey => RefKey.Of(Creation.Transport, Graph.Captures);

        public HashSet<RefKey> Roots { get; }

        /// <summary>Raw uses that can run while this WebSocket owns its transport (WSH001), one per syntax node, in source order.</summary>
        public List<HandoffDataflow.Site> LiveRawUses { get; } = new List<HandoffDataflow.Site>();

        /// <summary>Closes of this WebSocket with the union of the states reaching them.</summary>
        public List<HandoffDataflow.Site> Closes { get; } = new List<HandoffDataflow.Site>();

        /// <summary>The transport outlives the method: a field, returned, stored, or handed to non-BCL code.</summary>
        public bool TransportEscapes { get; set; }

        /// <summary>Methods of the type the creating member calls after the creation (on some path).</summary>
        public HashSet<IMethodSymbol> CalledAfterCreation { get; } = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);

        /// <summary>Computed once, shared by every diagnostic about this creation (see <see cref="HandoffPlan.For"/>).</summary>
        internal HandoffPlan? PlanSlot;

        /// <summary>Is this close a WSH002 (see the rule's table in SPEC §3)?</summary>
        public bool IsReportedClose(HandoffDataflow.Site close)
        {
            var state = close.State;
            if (close.Event.CloseKind == "Close")
            {
                return (state & (HandoffDataflow.RawUsed | HandoffDataflow.Detached)) != 0;
            }

            if (IsHandoff)
            {
                // Dispose/Abort of a HandoffWebSocket leave a detached transport open (contract G4).
                return false;
            }

            return (state & HandoffDataflow.RawRunning) != 0
                || ((state & HandoffDataflow.RawUsed) != 0 && TransportEscapes);
        }
    }

    /// <summary>What the flow analysis found after one detach.</summary>
    internal sealed class DetachResult
    {
        public DetachResult(FlowEvent detach, FlowGraph graph)
        {
            Detach = detach;
            Graph = graph;
        }

        public FlowEvent Detach { get; }

        public FlowGraph Graph { get; }

        /// <summary>The creation of the detached WebSocket, when it is in the same body.</summary>
        public CreationResult? Creation { get; set; }

        public List<HandoffDataflow.Site> SendsAfter { get; } = new List<HandoffDataflow.Site>();

        public List<HandoffDataflow.Site> ClosesAfter { get; } = new List<HandoffDataflow.Site>();
    }

    /// <summary>
    /// The shared engine of WSH001/WSH002/WSH003/WSH005: for the members of one type, finds each creation, its roots,
    /// and which raw uses, closes and WebSocket calls can run after it (or after a detach) on some path.
    /// </summary>
    internal sealed class HandoffAnalysis
    {
        private readonly TypeFlowContext _context;
        private readonly Dictionary<IOperation, FlowGraph?> _rootGraphs = new Dictionary<IOperation, FlowGraph?>();

        private HandoffAnalysis(TypeFlowContext context)
        {
            _context = context;
        }

        public List<CreationResult> Creations { get; } = new List<CreationResult>();

        public List<DetachResult> Detaches { get; } = new List<DetachResult>();

        /// <param name="screen">
        /// Skip the members <see cref="SyntaxScreen"/> settles without an operation tree and <see cref="QuietMemberScreen"/>
        /// without a graph (always, but for the tests that check the screens against the full analysis).
        /// </param>
        public static HandoffAnalysis Analyze(TypeFlowContext context, IReadOnlyList<MemberBody> members, bool screen = true)
        {
            var analysis = new HandoffAnalysis(context);
            analysis.Run(members, screen);
            return analysis;
        }

        private void Run(IReadOnlyList<MemberBody> members, bool screen)
        {
            var mayHandoff = new bool[members.Count];
            HashSet<string>? helpers = null;
            for (var i = 0; i < members.Count; i++)
            {
                mayHandoff[i] = TextPrecheck.MemberMayHandoff(members[i].Syntax);
                if (mayHandoff[i] && DetachingHelperName(members[i]) is { } name)
                {
                    (helpers ??= new HashSet<string>()).Add(name);
                }
            }

            for (var i = 0; i < members.Count; i++)
            {
                var member = members[i];
                _context.CancellationToken.ThrowIfCancellationRequested();

                // A member that names neither a creation nor a detach may still call a helper of the type that detaches
                // the HandoffWebSocket handed to it (`var raw = await SwitchAsync(ws, ct); await ws.SendAsync(…);`).
                // The screens do not know which calls detach a field: a member that names such a helper goes to the analysis.
                var callsHelper = helpers != null && TextPrecheck.MemberMentions(member.Syntax, helpers);
                if (!(mayHandoff[i] || callsHelper)
                    || (screen && !callsHelper && SyntaxScreen.IsQuiet(member.Syntax, member.Owner, member.Model, _context.Types, _context.CancellationToken))
                    || member.Root == null
                    || (screen && !callsHelper && QuietMemberScreen.IsQuiet(member.Root, _context.Types)))
                {
                    continue;
                }

                var root = GetGraph(member);
                if (root == null)
                {
                    continue;
                }

                foreach (var graph in AllGraphs(root))
                {
                    foreach (var flowEvent in graph.AllEvents.ToList())
                    {
                        if (flowEvent.Kind == FlowEventKind.Creation)
                        {
                            AnalyzeCreation(member, graph, flowEvent, root, members);
                        }
                    }
                }

                foreach (var graph in AllGraphs(root))
                {
                    foreach (var flowEvent in graph.AllEvents.ToList())
                    {
                        if (flowEvent.Kind == FlowEventKind.Detach && flowEvent.Key != null)
                        {
                            AnalyzeDetach(graph, flowEvent);
                        }
                    }
                }
            }

            foreach (var creation in Creations)
            {
                if (creation.Roots.Any(r => r.IsMemberOfThis || (r.Instance != null && r.Instance.IsMemberOfThis)))
                {
                    AnalyzeOtherMembers(creation, members);
                }

                Finish(creation);
            }
        }

        /// <summary>
        /// The name of a method of the type that the analysis counts as a detach of the HandoffWebSocket handed to it, or
        /// of a HandoffWebSocket field of the type (see <see cref="EventClassifier.DetachesFirst"/>), or null.
        /// </summary>
        private string? DetachingHelperName(MemberBody member)
        {
            if (!(member.Owner is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                || !(member.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax declaration))
            {
                return null;
            }

            foreach (var parameter in method.Parameters)
            {
                if (_context.Types.IsHandoff(parameter.Type) && EventClassifier.DetachesFirst(declaration, parameter.Name))
                {
                    return method.Name;
                }
            }

            return _context.FieldsDetachedBy(method.OriginalDefinition).Count > 0 ? method.Name : null;
        }

        private FlowGraph? GetGraph(MemberBody member)
        {
            var root = member.Root;
            if (root == null)
            {
                return null;
            }

            if (!_rootGraphs.TryGetValue(root, out var graph))
            {
                var cfg = FlowGraph.TryCreate(root, _context.CancellationToken);
                graph = cfg == null ? null : _context.GetGraph(cfg, member.Owner as IMethodSymbol, null);
                _rootGraphs[root] = graph;
            }

            return graph;
        }

        internal static List<FlowGraph> AllGraphs(FlowGraph root)
        {
            var result = new List<FlowGraph>();
            var seen = new HashSet<FlowGraph>();
            var stack = new Stack<FlowGraph>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var graph = stack.Pop();
                if (!seen.Add(graph))
                {
                    continue;
                }

                result.Add(graph);
                foreach (var closure in graph.Closures)
                {
                    stack.Push(closure);
                }
            }

            return result;
        }

        private void AnalyzeCreation(MemberBody member, FlowGraph graph, FlowEvent creation, FlowGraph root, IReadOnlyList<MemberBody> members)
        {
            var method = (creation.Operation as IInvocationOperation)?.TargetMethod;
            var isHandoff = _context.Types.IsHandoff(method?.ContainingType);
            var roots = ComputeRoots(graph, creation.Transport, creation.Syntax, member, members);
            AddCopies(roots, AllGraphs(root));
            var result = new CreationResult(creation, graph, member, isHandoff, roots);
            Creations.Add(result);
            if (roots.Count == 0)
            {
                return;
            }

            var dataflow = new HandoffDataflow(creation.Key, roots, creation, null);
            dataflow.AddAliases(AllGraphs(root).SelectMany(g => g.WebSocketAliases));
            dataflow.AddKillLocal(result.TransportKey);
            dataflow.RunFrom(graph, creation, HandoffDataflow.Live);
            result.LiveRawUses.AddRange(dataflow.LiveRawUses);
            result.Closes.AddRange(dataflow.Closes);
            result.CalledAfterCreation.UnionWith(dataflow.CalledWhileLive);

            foreach (var g in AllGraphs(root))
            {
                foreach (var escape in g.Escapes)
                {
                    if (roots.Contains(escape))
                    {
                        result.TransportEscapes = true;
                    }
                }
            }

            // Held in a field or property of the type: it outlives the method.
            result.TransportEscapes |= roots.Any(r => r.IsMemberOfThis);
        }

        private void AnalyzeDetach(FlowGraph graph, FlowEvent detach)
        {
            var result = new DetachResult(detach, graph);
            result.Creation = Creations.FirstOrDefault(c => c.WebSocketKey != null && c.WebSocketKey.Equals(detach.Key) && c.Member.Root == MemberRootOf(graph));
            var dataflow = new HandoffDataflow(detach.Key, new HashSet<RefKey>(), null, null);
            dataflow.AddKillLocal(detach.Key);
            dataflow.AddAliases(AllGraphs(RootOf(graph)).SelectMany(g => g.WebSocketAliases));
            var exit = dataflow.RunFrom(graph, detach, HandoffDataflow.Detached);
            RunAfterLocalFunctionCalls(graph, exit, dataflow);
            result.SendsAfter.AddRange(Merge(dataflow.SendsAfterDetach));
            foreach (var close in Merge(dataflow.Closes))
            {
                if (close.Event.CloseKind == "Close" && (close.State & HandoffDataflow.Detached) != 0)
                {
                    result.ClosesAfter.Add(close);
                }
            }

            Detaches.Add(result);
        }

        /// <summary>
        /// A detach inside a local function (or a lambda called through the local it is stored in, or handed to an awaited
        /// <c>Task.Run</c>) that may still hold at its end: the code after each call of the function (awaited, or a function that does not await) runs after the
        /// detach too, in the caller and, for a function called by another local function, in that one's callers.
        /// </summary>
        private void RunAfterLocalFunctionCalls(FlowGraph graph, int exit, HandoffDataflow dataflow)
        {
            var done = new HashSet<FlowGraph>();
            var work = new Stack<KeyValuePair<FlowGraph, int>>();
            work.Push(new KeyValuePair<FlowGraph, int>(graph, exit));
            while (work.Count > 0 && done.Count < 8)
            {
                var item = work.Pop();
                var function = item.Key.Owner;
                if ((item.Value & HandoffDataflow.Detached) == 0
                    || item.Key.Parent == null
                    || function == null
                    || !done.Add(item.Key))
                {
                    continue;
                }

                foreach (var caller in AllGraphs(RootOf(item.Key)))
                {
                    foreach (var call in caller.AllEvents.ToList())
                    {
                        if (call.Kind != FlowEventKind.Closure
                            || (call.ClosureIsDeferred && !HandoffDataflow.RunsToItsEndHere(call.Operation))
                            || caller == item.Key
                            || caller.ResolveClosure(call) != item.Key
                            || (function.IsAsync && !call.ClosureIsDeferred && !EventClassifier.IsAwaited(call.Operation)))
                        {
                            continue;
                        }

                        work.Push(new KeyValuePair<FlowGraph, int>(caller, dataflow.RunFrom(caller, call, HandoffDataflow.Detached)));
                    }
                }
            }
        }

        internal static FlowGraph RootOf(FlowGraph graph)
        {
            while (graph.Parent != null)
            {
                graph = graph.Parent;
            }

            return graph;
        }

        private IOperation? MemberRootOf(FlowGraph graph)
        {
            while (graph.Parent != null)
            {
                graph = graph.Parent;
            }

            foreach (var pair in _rootGraphs)
            {
                if (pair.Value == graph)
                {
                    return pair.Key;
                }
            }

            return null;
        }

        /// <summary>
        /// A transport held in a field or property of the type: raw uses in the type's other members count, from the
        /// member's entry (or from its call of the creating member), unless that member detaches first.
        /// Constructors run before any member can create the WebSocket and are not searched, and neither is a private
        /// method that only the creating member calls, before the creation (a handshake helper).
        /// </summary>
        private void AnalyzeOtherMembers(CreationResult creation, IReadOnlyList<MemberBody> members)
        {
            var names = new HashSet<string>();
            foreach (var root in creation.Roots)
            {
                for (var key = root; key != null; key = key.Instance)
                {
                    if (key.Instance == null && key.IsMemberOfThis)
                    {
                        names.Add(key.Symbol.Name);
                    }
                }
            }

            var creatingMember = creation.Member.Owner as IMethodSymbol;
            foreach (var member in members)
            {
                _context.CancellationToken.ThrowIfCancellationRequested();
                if (SymbolEqualityComparer.Default.Equals(member.Owner, creation.Member.Owner)
                    || member.Owner is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }
                    || member.Owner is not IMethodSymbol
                    || !TextPrecheck.MemberMentions(member.Syntax, names))
                {
                    continue;
                }

                if (IsHandshakeHelper((IMethodSymbol)member.Owner, creation, members))
                {
                    continue;
                }

                var graph = GetGraph(member);
                if (graph == null)
                {
                    continue;
                }

                var webSocket = creation.WebSocketKey != null && creation.WebSocketKey.IsMemberOfThis ? creation.WebSocketKey : null;

                // `var stream = _stream;` in this member: its locals that only copy the field count as well.
                var roots = new HashSet<RefKey>(creation.Roots);
                AddCopies(roots, AllGraphs(graph));
                var dataflow = new HandoffDataflow(webSocket, roots, null, creatingMember?.OriginalDefinition);
                dataflow.AddAliases(AllGraphs(graph).SelectMany(g => g.WebSocketAliases));
                var calls = graph.AllEvents.Where(e => e.Kind == FlowEventKind.MemberCall
                    && SymbolEqualityComparer.Default.Equals(e.Callee, creatingMember?.OriginalDefinition)).ToList();
                if (calls.Count == 0)
                {
                    dataflow.RunFromEntry(graph, HandoffDataflow.Live);
                }
                else
                {
                    foreach (var call in calls)
                    {
                        dataflow.RunFrom(graph, call, HandoffDataflow.Live);
                    }
                }

                creation.LiveRawUses.AddRange(dataflow.LiveRawUses);
                creation.Closes.AddRange(dataflow.Closes);
            }
        }

        private static bool IsHandshakeHelper(IMethodSymbol method, CreationResult creation, IReadOnlyList<MemberBody> members)
        {
            if (method.DeclaredAccessibility != Accessibility.Private
                || method.MethodKind != MethodKind.Ordinary
                || creation.CalledAfterCreation.Contains(method.OriginalDefinition))
            {
                return false;
            }

            var name = new[] { method.Name };
            var calledFromCreator = false;
            foreach (var member in members)
            {
                if (SymbolEqualityComparer.Default.Equals(member.Owner, method) || !TextPrecheck.MemberMentions(member.Syntax, name))
                {
                    continue;
                }

                if (!SymbolEqualityComparer.Default.Equals(member.Owner, creation.Member.Owner))
                {
                    return false;
                }

                calledFromCreator = true;
            }

            return calledFromCreator;
        }

        private static void Finish(CreationResult creation)
        {
            var raw = Merge(creation.LiveRawUses);
            raw.Sort((a, b) => CompareSites(a, b));
            creation.LiveRawUses.Clear();
            creation.LiveRawUses.AddRange(raw);
            var closes = Merge(creation.Closes);
            closes.Sort((a, b) => CompareSites(a, b));
            creation.Closes.Clear();
            creation.Closes.AddRange(closes);
        }

        private static int CompareSites(HandoffDataflow.Site a, HandoffDataflow.Site b)
        {
            var byTree = string.CompareOrdinal(a.Event.Syntax.SyntaxTree.FilePath, b.Event.Syntax.SyntaxTree.FilePath);
            return byTree != 0 ? byTree : a.Event.Syntax.SpanStart.CompareTo(b.Event.Syntax.SpanStart);
        }

        /// <summary>One site per event (a raw use of two roots is reported once), with the union of the states seen.</summary>
        private static List<HandoffDataflow.Site> Merge(List<HandoffDataflow.Site> sites)
        {
            var merged = new Dictionary<SyntaxNode, HandoffDataflow.Site>();
            var order = new List<SyntaxNode>();
            foreach (var site in sites)
            {
                if (merged.TryGetValue(site.Event.Syntax, out var existing))
                {
                    merged[site.Event.Syntax] = new HandoffDataflow.Site(existing.Event, existing.Graph, existing.State | site.State);
                }
                else
                {
                    merged[site.Event.Syntax] = site;
                    order.Add(site.Event.Syntax);
                }
            }

            return order.Select(s => merged[s]).ToList();
        }

        private HashSet<RefKey> ComputeRoots(FlowGraph graph, IOperation? transport, SyntaxNode creationSyntax, MemberBody creatingMember, IReadOnlyList<MemberBody> members)
        {
            var types = _context.Types;
            var roots = new HashSet<RefKey>();
            var work = new Stack<KeyValuePair<IOperation, FlowGraph>>();
            if (transport != null)
            {
                work.Push(new KeyValuePair<IOperation, FlowGraph>(transport, graph));
            }

            void AddKey(RefKey key, FlowGraph context)
            {
                if (roots.Count > 32 || !roots.Add(key))
                {
                    return;
                }

                if (key.Symbol is IMethodSymbol { Name: "GetStream" } && types.TcpClientClient != null)
                {
                    roots.Add(new RefKey(types.TcpClientClient, key.Instance));
                }

                if (types.NetworkStreamSocket != null && HandoffTypes.InheritsFrom(TypeOf(key.Symbol), types.NetworkStream))
                {
                    roots.Add(new RefKey(types.NetworkStreamSocket, key));
                }

                // What was assigned to it in this body (and in the bodies around a lambda): the streams it wraps.
                // And the fields and properties of the type it was stored in (`_stream = stream;` in a constructor that
                // creates from `stream`): the same stream, reachable from the other members.
                for (var g = context; g != null; g = g.Parent)
                {
                    AddAssignedIn(g, key, g != graph);
                }

                // A field of the type: what the constructors assign to it (`_ssl = new SslStream(_tcp.GetStream());`) is
                // what it wraps when another member creates the WebSocket from it. Constructors run before any member.
                if (key.IsMemberOfThis && !(key.Symbol is IParameterSymbol))
                {
                    foreach (var constructor in ConstructorGraphs(key.Symbol, creatingMember, members))
                    {
                        foreach (var g in AllGraphs(constructor))
                        {
                            AddAssignedIn(g, key, true);
                        }
                    }
                }
            }

            void AddAssignedIn(FlowGraph g, RefKey key, bool anyAssignment)
            {
                foreach (var assignment in g.Assignments)
                {
                    if (assignment.Key.IsMemberOfThis && assignment.Key.Instance == null)
                    {
                        var stored = RefKey.Of(assignment.Value, g.Captures);
                        if (key.Equals(stored))
                        {
                            AddKey(assignment.Key, g);
                        }
                        else if (key.Instance != null && key.Instance.Equals(stored))
                        {
                            // `_tcp = tcp;` and the root `tcp.GetStream()`: `_tcp.GetStream()` in the other members.
                            AddKey(new RefKey(key.Symbol, assignment.Key), g);
                        }
                    }

                    if (assignment.Key.Equals(key) && (anyAssignment || MayPrecede(assignment.Value.Syntax, creationSyntax)))
                    {
                        work.Push(new KeyValuePair<IOperation, FlowGraph>(assignment.Value, g));
                    }
                }
            }

            while (work.Count > 0 && roots.Count <= 32)
            {
                var item = work.Pop();
                var operation = EventClassifier.Unwrap(item.Key);
                if (operation is Microsoft.CodeAnalysis.FlowAnalysis.IFlowCaptureReferenceOperation capture)
                {
                    var captured = item.Value.Captures.Resolve(capture);
                    if (captured != null)
                    {
                        work.Push(new KeyValuePair<IOperation, FlowGraph>(captured, item.Value));
                    }

                    continue;
                }

                var key = RefKey.Of(operation, item.Value.Captures);
                if (key != null)
                {
                    AddKey(key, item.Value);
                }
                else if (operation is IObjectCreationOperation creation && types.IsWrappingStream(creation.Type))
                {
                    foreach (var argument in creation.Arguments)
                    {
                        if (argument.Parameter?.Ordinal == 0)
                        {
                            work.Push(new KeyValuePair<IOperation, FlowGraph>(argument.Value, item.Value));
                        }
                    }
                }
            }

            return roots;
        }

        /// <summary>
        /// Locals that only ever hold a root (<c>var s2 = stream;</c>, <c>Socket socket = stream.Socket;</c>, before or after
        /// the creation): every write of the local in the member (its lambdas and local functions included) is a plain
        /// copy of a root, so a raw use through it is a raw use of the root. A local also written with anything else, by
        /// <c>ref</c>/<c>out</c>, a deconstruction or a pattern may name another stream at the use, and is not followed.
        /// </summary>
        private void AddCopies(HashSet<RefKey> roots, List<FlowGraph> graphs)
        {
            if (roots.Count == 0)
            {
                return;
            }

            for (var changed = true; changed && roots.Count <= 32;)
            {
                changed = false;
                Dictionary<ILocalSymbol, bool>? candidates = null;
                foreach (var graph in graphs)
                {
                    foreach (var assignment in graph.Assignments)
                    {
                        if (!(assignment.Key.Symbol is ILocalSymbol local) || !assignment.Key.IsLocal || roots.Contains(assignment.Key))
                        {
                            continue;
                        }

                        var value = RefKey.Of(assignment.Value, graph.Captures);
                        var isCopy = value != null && roots.Contains(value) && AlwaysNamesRoot(value, roots, graphs);
                        candidates ??= new Dictionary<ILocalSymbol, bool>(SymbolEqualityComparer.Default);
                        candidates[local] = isCopy && (!candidates.TryGetValue(local, out var before) || before);
                    }
                }

                if (candidates == null)
                {
                    return;
                }

                foreach (var candidate in candidates)
                {
                    if (!candidate.Value || candidate.Key.IsRef || WrittenOtherwise(candidate.Key, graphs))
                    {
                        continue;
                    }

                    var key = new RefKey(candidate.Key, null);
                    if (roots.Add(key))
                    {
                        changed = true;
                        if (_context.Types.NetworkStreamSocket != null && HandoffTypes.InheritsFrom(candidate.Key.Type, _context.Types.NetworkStream))
                        {
                            roots.Add(new RefKey(_context.Types.NetworkStreamSocket, key));
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Does a local or parameter copied from hold a root whenever it is read? Not when the member also gives it another
        /// stream (`var old = stream; stream = OpenOther();`: `old` is the stream from before): every write of it must be
        /// a root or wrap one.
        /// </summary>
        private static bool AlwaysNamesRoot(RefKey key, HashSet<RefKey> roots, List<FlowGraph> graphs)
        {
            if (key.Instance != null || !(key.Symbol is ILocalSymbol || key.Symbol is IParameterSymbol))
            {
                return true;
            }

            foreach (var graph in graphs)
            {
                if (key.Symbol is ILocalSymbol local && graph.LocalsWrittenOtherwise.Contains(local))
                {
                    return false;
                }

                foreach (var assignment in graph.Assignments)
                {
                    if (assignment.Key.Equals(key) && !IsOrWraps(assignment.Value, graph, roots))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static bool IsOrWraps(IOperation value, FlowGraph graph, HashSet<RefKey> roots)
        {
            for (var depth = 0; depth < 8; depth++)
            {
                var key = RefKey.Of(value, graph.Captures);
                if (key != null)
                {
                    return roots.Contains(key);
                }

                if (!(EventClassifier.Unwrap(value) is IObjectCreationOperation creation))
                {
                    return false;
                }

                IOperation? inner = null;
                foreach (var argument in creation.Arguments)
                {
                    if (argument.Parameter?.Ordinal == 0)
                    {
                        inner = argument.Value;
                    }
                }

                if (inner == null)
                {
                    return false;
                }

                value = inner;
            }

            return false;
        }

        private static bool WrittenOtherwise(ILocalSymbol local, List<FlowGraph> graphs)
        {
            foreach (var graph in graphs)
            {
                if (graph.LocalsWrittenOtherwise.Contains(local))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The graphs of the type's constructors (static ones for a static field) that name <paramref name="field"/>, the
        /// creating member excepted. Built only for a creation whose transport is (or wraps) a field.
        /// </summary>
        private IEnumerable<FlowGraph> ConstructorGraphs(ISymbol field, MemberBody creatingMember, IReadOnlyList<MemberBody> members)
        {
            var name = new[] { field.Name };
            foreach (var member in members)
            {
                if (member.Owner is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } constructor
                    && constructor.IsStatic == field.IsStatic
                    && !ReferenceEquals(member, creatingMember)
                    && TextPrecheck.MemberMentions(member.Syntax, name)
                    && GetGraph(member) is { } graph)
                {
                    yield return graph;
                }
            }
        }

        /// <summary>
        /// Can an assignment in the creating body run before the creation? Not when it comes after it in the source,
        /// outside any loop around both: that gives the name another stream (see the Assign transfer), it does not
        /// say what the transport wraps.
        /// </summary>
        private static bool MayPrecede(SyntaxNode assignment, SyntaxNode creation)
        {
            if (assignment.SyntaxTree != creation.SyntaxTree || assignment.SpanStart < creation.Span.End)
            {
                return true;
            }

            for (var node = creation.Parent; node != null; node = node.Parent)
            {
                if (node is Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax
                    || node is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax
                    || node is Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax)
                {
                    return false;
                }

                if ((node is Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax
                        || node is Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax
                        || node is Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax
                        || node is Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax
                        || node is Microsoft.CodeAnalysis.CSharp.Syntax.LabeledStatementSyntax)
                    && node.Span.Contains(assignment.Span))
                {
                    return true;
                }
            }

            return false;
        }

        private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            IMethodSymbol method => method.ReturnType,
            _ => null,
        };
    }
}
