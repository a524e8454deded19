using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// The WSH006 fix against the real analyzer where the pair sits in a loop body, a catch clause or a lambda (merged: send
    /// and detach share one statement list), and where the detach follows only on some path or the send is part of a larger
    /// expression (reported without a fix). Every fixed state is compiled.
    /// </summary>
    public class UseSendAndDetachPathTests
    {
        private const string Usings = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Net.WebSockets;
            using System.Threading;
            using System.Threading.Tasks;
            using WebSocketHandoff;


            """;

        private static IEnumerable<DiagnosticAnalyzer> Analyzers() => new DiagnosticAnalyzer[] { new NonAtomicFinalSendAnalyzer() };

        private static Task VerifyAsync(string source, string fixedSource) =>
            new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers) { TestCode = Usings + source, FixedCode = Usings + fixedSource }.RunAsync();

        private static Task VerifyNoFixAsync(string source) =>
            new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers) { TestCode = Usings + source, FixedCode = Usings + source }.RunAsync();

        [Fact]
        public async Task Fix_merges_a_pair_in_a_loop_body_a_catch_and_a_lambda()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    async Task<Stream?> LoopAsync(HandoffWebSocket ws, IReadOnlyList<ArraySegment<byte>> parts, CancellationToken ct)
                    {
                        for (int i = 0; i < parts.Count; i++)
                        {
                            if (i == parts.Count - 1)
                            {
                                await {|WSH006:ws.SendAsync(parts[i], WebSocketMessageType.Binary, true, ct)|};
                                return await ws.DetachAsync(ct);
                            }

                            await ws.SendAsync(parts[i], WebSocketMessageType.Binary, false, ct);
                        }

                        return null;
                    }

                    async Task<Stream?> CatchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        try
                        {
                            await Task.Delay(10, ct);
                            return null;
                        }
                        catch (OperationCanceledException)
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, true, CancellationToken.None)|};
                            var raw = await ws.DetachAsync(CancellationToken.None);
                            return raw;
                        }
                    }

                    Func<Task<Stream>> Later(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct) => async () =>
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, endOfMessage: true, ct)|}.ConfigureAwait(false);
                        return await ws.DetachAsync(ct).ConfigureAwait(false);
                    };
                }
                """,
                """
                class Bridge
                {
                    async Task<Stream?> LoopAsync(HandoffWebSocket ws, IReadOnlyList<ArraySegment<byte>> parts, CancellationToken ct)
                    {
                        for (int i = 0; i < parts.Count; i++)
                        {
                            if (i == parts.Count - 1)
                            {
                                return await ws.SendAndDetachAsync(parts[i], WebSocketMessageType.Binary, ct);
                            }

                            await ws.SendAsync(parts[i], WebSocketMessageType.Binary, false, ct);
                        }

                        return null;
                    }

                    async Task<Stream?> CatchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        try
                        {
                            await Task.Delay(10, ct);
                            return null;
                        }
                        catch (OperationCanceledException)
                        {
                            var raw = await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text);
                            return raw;
                        }
                    }

                    Func<Task<Stream>> Later(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct) => async () =>
                    {
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                    };
                }
                """);
        }

        [Fact]
        public async Task Fix_merges_ConfigureAwait_false_on_both_calls_and_a_detach_without_a_token()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                        return await ws.DetachAsync().ConfigureAwait(false);
                    }

                    async Task<Stream> NoTokenAsync(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, endOfMessage: true, cancellationToken: default)|}.ConfigureAwait(false);
                        var raw = await ws.DetachAsync().ConfigureAwait(false);
                        return raw;
                    }
                }
                """,
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                    }

                    async Task<Stream> NoTokenAsync(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        var raw = await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text).ConfigureAwait(false);
                        return raw;
                    }
                }
                """);
        }

        [Fact]
        public async Task No_fix_when_a_synchronous_Detach_sits_in_a_lock()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    private readonly object _gate = new object();

                    async Task<Stream> RunAsync(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        await Task.Yield();
                        lock (_gate)
                        {
                            {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, CancellationToken.None)|}.Wait();
                            return ws.Detach();
                        }
                    }
                }
                """);
        }

        [Fact]
        public async Task No_fix_when_the_detach_follows_on_some_paths_only()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    async Task<Stream?> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool upgrade, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        if (upgrade)
                        {
                            return await ws.DetachAsync(ct);
                        }

                        return null;
                    }

                    async Task<Stream?> EarlyReturnAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        if (ct.IsCancellationRequested) return null;
                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> LoopAsync(HandoffWebSocket ws, IEnumerable<ArraySegment<byte>> parts, CancellationToken ct)
                    {
                        foreach (var part in parts)
                        {
                            await {|WSH006:ws.SendAsync(part, WebSocketMessageType.Binary, true, ct)|};
                        }

                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> SwitchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, int kind, CancellationToken ct)
                    {
                        switch (kind)
                        {
                            case 1:
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                                break;
                        }

                        return await ws.DetachAsync(ct);
                    }
                }
                """);
        }

        [Fact]
        public async Task No_fix_when_the_send_is_part_of_a_larger_expression_or_a_using_resource()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    async Task<Stream> WhenAllAsync(HandoffWebSocket ws, ArraySegment<byte> bye, Task flush, CancellationToken ct)
                    {
                        await Task.WhenAll({|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}, flush);
                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> UsingAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        using var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        await t;
                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> TimeoutAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.WaitAsync(TimeSpan.FromSeconds(5), ct);
                        return await ws.DetachAsync(ct);
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_all_merges_the_same_block_pairs_and_leaves_the_path_shapes()
        {
            var test = new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = Usings + """
                    class Server
                    {
                        async Task<Stream?> LoopAsync(HandoffWebSocket ws, ArraySegment<byte> bye, int n, CancellationToken ct)
                        {
                            while (n-- > 0)
                            {
                                if (n == 0)
                                {
                                    await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                                    return await ws.DetachAsync(ct).ConfigureAwait(false);
                                }
                            }

                            return null;
                        }

                        async Task<Stream?> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool upgrade, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return upgrade ? await ws.DetachAsync(ct) : null;
                        }

                        async Task<Stream> AfterLoopAsync(HandoffWebSocket ws, ArraySegment<byte> bye, int n, CancellationToken ct)
                        {
                            for (int i = 0; i < n; i++)
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return await ws.DetachAsync(ct);
                        }

                        async Task<Stream> CatchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                        {
                            try
                            {
                                throw new TimeoutException();
                            }
                            catch (TimeoutException)
                            {
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, true, ct)|};
                                return await ws.DetachAsync(ct);
                            }
                        }
                    }
                    """,
                FixedCode = Usings + """
                    class Server
                    {
                        async Task<Stream?> LoopAsync(HandoffWebSocket ws, ArraySegment<byte> bye, int n, CancellationToken ct)
                        {
                            while (n-- > 0)
                            {
                                if (n == 0)
                                {
                                    return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct).ConfigureAwait(false);
                                }
                            }

                            return null;
                        }

                        async Task<Stream?> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool upgrade, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return upgrade ? await ws.DetachAsync(ct) : null;
                        }

                        async Task<Stream> AfterLoopAsync(HandoffWebSocket ws, ArraySegment<byte> bye, int n, CancellationToken ct)
                        {
                            for (int i = 0; i < n; i++)
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return await ws.DetachAsync(ct);
                        }

                        async Task<Stream> CatchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                        {
                            try
                            {
                                throw new TimeoutException();
                            }
                            catch (TimeoutException)
                            {
                                return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text, ct);
                            }
                        }
                    }
                    """,
            };
            test.FixedState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
            await test.RunAsync();
        }
    }
}
