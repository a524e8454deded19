using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Why this exists: four rules (WSH001, WSH002, WSH003, WSH005) are four analyzer classes, but they read one flow
    /// analysis. Without sharing, each analyzer built the control-flow graphs and ran the dataflow of the same type,
    /// so the engine's work was done four times. Here, per compilation, the resolved types, the text precheck and one
    /// <see cref="HandoffAnalysis"/> per named type are shared by the four analyzers: the first to reach the type's end
    /// computes it, the others wait for it and read it.
    /// <para>
    /// Keyed by <see cref="Compilation"/> in a <see cref="ConditionalWeakTable{TKey, TValue}"/>, so nothing is kept in an
    /// analyzer's fields (RS1008) and everything goes with the compilation. An analysis is read-only once computed (the
    /// rules only read it; <see cref="HandoffPlan.For"/> publishes its plan atomically), so sharing it across threads is safe.
    /// </para>
    /// </summary>
    internal sealed class SharedHandoffAnalyses
    {
        /// <summary>How many analyzers read one analysis; after the last, the entry is dropped (a later reader recomputes).</summary>
        private const int Readers = 4;

        private static readonly ConditionalWeakTable<Compilation, SharedHandoffAnalyses> s_byCompilation =
            new ConditionalWeakTable<Compilation, SharedHandoffAnalyses>();

        private static readonly ConditionalWeakTable<Compilation, SharedHandoffAnalyses>.CreateValueCallback s_create =
            compilation => new SharedHandoffAnalyses(compilation);

        private readonly ConcurrentDictionary<INamedTypeSymbol, Entry> _analyses =
            new ConcurrentDictionary<INamedTypeSymbol, Entry>(SymbolEqualityComparer.Default);

        private int _computed;

        private SharedHandoffAnalyses(Compilation compilation)
        {
            Types = HandoffTypes.TryCreate(compilation);
        }

        /// <summary>The resolved types, or null when the compilation has no WebSocket (then nothing is registered).</summary>
        public HandoffTypes? Types { get; }

        public TextPrecheck Precheck { get; } = new TextPrecheck();

        private GeneratedCode? _generatedCode;

        /// <summary>Which code is generated (one answer per file, shared by the four analyzers).</summary>
        public GeneratedCode GeneratedCodeFor(Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions options)
        {
            var current = Volatile.Read(ref _generatedCode);
            if (current == null)
            {
                Interlocked.CompareExchange(ref _generatedCode, new GeneratedCode(options), null);
                current = _generatedCode!;
            }

            return current;
        }

        public static SharedHandoffAnalyses For(Compilation compilation) => s_byCompilation.GetValue(compilation, s_create);

        /// <summary>How many analyses were computed for this compilation (for tests: one per type, not one per rule).</summary>
        internal static int AnalysesComputed(Compilation compilation) =>
            s_byCompilation.TryGetValue(compilation, out var shared) ? Volatile.Read(ref shared._computed) : 0;

        /// <summary>
        /// The analysis of <paramref name="type"/> over <paramref name="members"/> (sorted in source order). Each
        /// analyzer collects the same members; should a caller's members differ from those the shared analysis was
        /// computed from (an analysis scoped to part of the compilation), it gets its own, uncached.
        /// </summary>
        public HandoffAnalysis GetAnalysis(INamedTypeSymbol type, List<MemberBody> members, CancellationToken cancellationToken)
        {
            var types = Types!;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = _analyses.GetOrAdd(type, _ => new Entry(this, types, type, members, cancellationToken));
                if (!entry.HasSameMembers(members))
                {
                    return Compute(types, type, members, cancellationToken);
                }

                HandoffAnalysis analysis;
                try
                {
                    analysis = entry.Analysis.Value;
                }
                catch (OperationCanceledException)
                {
                    // The computation ran with the token of the analyzer that started it: a cancelled one must not stay
                    // cached, nor cancel the other analyzers. Drop exactly this entry, then stop if we were cancelled,
                    // else compute again.
                    Remove(type, entry);
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                if (Interlocked.Increment(ref entry.ReadCount) >= Readers)
                {
                    Remove(type, entry);
                }

                return analysis;
            }
        }

        private HandoffAnalysis Compute(HandoffTypes types, INamedTypeSymbol type, List<MemberBody> members, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _computed);
            return HandoffAnalysis.Analyze(new TypeFlowContext(types, type, cancellationToken), members);
        }

        private void Remove(INamedTypeSymbol type, Entry entry) =>
            ((ICollection<KeyValuePair<INamedTypeSymbol, Entry>>)_analyses).Remove(new KeyValuePair<INamedTypeSymbol, Entry>(type, entry));

        private sealed class Entry
        {
            private readonly List<MemberBody> _members;

            public Entry(SharedHandoffAnalyses owner, HandoffTypes types, INamedTypeSymbol type, List<MemberBody> members, CancellationToken cancellationToken)
            {
                _members = members;
                // One thread computes (TypeFlowContext's caches are not thread-safe); the others wait for its result.
                Analysis = new Lazy<HandoffAnalysis>(
                    () => owner.Compute(types, type, members, cancellationToken),
                    LazyThreadSafetyMode.ExecutionAndPublication);
            }

            public Lazy<HandoffAnalysis> Analysis { get; }

            public int ReadCount;

            public bool HasSameMembers(List<MemberBody> members)
            {
                if (ReferenceEquals(members, _members))
                {
                    return true;
                }

                if (members.Count != _members.Count)
                {
                    return false;
                }

                for (var i = 0; i < members.Count; i++)
                {
                    var a = members[i].Syntax;
                    var b = _members[i].Syntax;
                    if (ReferenceEquals(a, b) && ReferenceEquals(members[i].Owner, _members[i].Owner))
                    {
                        // The usual case: every analyzer is handed the same nodes and symbols for the same code block.
                        continue;
                    }

                    if (a.SyntaxTree != b.SyntaxTree || a.Span != b.Span || !SymbolEqualityComparer.Default.Equals(members[i].Owner, _members[i].Owner))
                    {
                        return false;
                    }
                }

                return true;
            }
        }
    }
}
