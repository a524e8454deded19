using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Diagnostics;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// The WSH006 fix against the real analyzer over the shapes beyond the plain pair: a stored send task, field receivers,
    /// and the shapes that are reported without a fix. Every fixed state is compiled.
    /// </summary>
    public class UseSendAndDetachShapesTests
    {
        private const string Usings = """
            using System;
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
        public async Task Fix_removes_a_stored_send_task_and_its_await()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        await t;
                        var raw = await ws.DetachAsync(ct);
                        return raw;
                    }
                }
                """,
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        var raw = await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct);
                        return raw;
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_removes_a_stored_ValueTask_awaited_with_ConfigureAwait_past_logging()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, TextWriter log, CancellationToken ct)
                    {
                        ValueTask sending = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, WebSocketMessageFlags.EndOfMessage, ct)|};
                        await sending.ConfigureAwait(false);
                        log.WriteLine("switching");
                        return await ws.DetachAsync(ct).ConfigureAwait(false);
                    }
                }
                """,
                """
                class Bridge
                {
                    async Task<Stream> RunAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, TextWriter log, CancellationToken ct)
                    {
                        log.WriteLine("switching");
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text, ct).ConfigureAwait(false);
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_removes_a_stored_send_task_that_is_never_awaited_and_one_configured_at_the_declaration()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    async Task<Stream> NeverAsync(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, CancellationToken.None)|};
                        return await ws.DetachAsync();
                    }

                    async Task<Stream> ConfiguredAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                        await t;
                        return await ws.DetachAsync(ct);
                    }
                }
                """,
                """
                class Bridge
                {
                    async Task<Stream> NeverAsync(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary);
                    }

                    async Task<Stream> ConfiguredAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct);
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_keeps_blocking_waits_for_a_stored_task_in_synchronous_code()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    Stream Run(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        Task t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, CancellationToken.None)|};
                        t.Wait();
                        return ws.DetachAsync().AsTask().GetAwaiter().GetResult();
                    }
                }
                """,
                """
                class Bridge
                {
                    Stream Run(HandoffWebSocket ws, ArraySegment<byte> bye)
                    {
                        return ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary).AsTask().GetAwaiter().GetResult();
                    }
                }
                """);
        }

        [Fact]
        public async Task No_fix_when_the_stored_send_task_has_other_uses()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    async Task<Stream> AfterAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        var raw = await ws.DetachAsync(ct);
                        await t;
                        return raw;
                    }

                    async Task<Stream> WhenAllAsync(HandoffWebSocket ws, ArraySegment<byte> bye, Task flush, CancellationToken ct)
                    {
                        var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        await Task.WhenAll(t, flush);
                        return await ws.DetachAsync(ct);
                    }
                }
                """);
        }

        [Fact]
        public async Task No_fix_when_the_send_sits_in_a_branch_try_or_block_before_the_detach()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    async Task<Stream> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool last, CancellationToken ct)
                    {
                        if (last)
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        }

                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream?> TryAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                    {
                        try
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                        }
                        catch (WebSocketException)
                        {
                            return null;
                        }

                        return await ws.DetachAsync(ct);
                    }

                    async Task<Stream> BlockAsync(HandoffWebSocket ws, CancellationToken ct)
                    {
                        {
                            var local = new ArraySegment<byte>(new byte[] { 1 });
                            await {|WSH006:ws.SendAsync(local, WebSocketMessageType.Binary, true, ct)|};
                        }

                        return await ws.DetachAsync(ct);
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_removes_a_stored_send_task_in_top_level_statements()
        {
            var test = new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    var ws = HandoffWebSocket.CreateFromStream(new MemoryStream(), true, null, TimeSpan.Zero);
                    var sending = {|WSH006:ws.SendAsync(new byte[] { 1 }, WebSocketMessageType.Binary, true, default)|};
                    await sending;
                    Stream raw = await ws.DetachAsync();
                    raw.Dispose();

                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using WebSocketHandoff;

                    var ws = HandoffWebSocket.CreateFromStream(new MemoryStream(), true, null, TimeSpan.Zero);
                    Stream raw = await ws.SendAndDetachAsync(new byte[] { 1 }, WebSocketMessageType.Binary);
                    raw.Dispose();

                    """,
            };
            test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
            test.FixedState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
            await test.RunAsync();
        }

        [Fact]
        public async Task No_fix_for_a_ContinueWith_that_detaches()
        {
            await VerifyNoFixAsync(
                """
                class Bridge
                {
                    Task<Stream> RunAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct) =>
                        {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.ContinueWith(_ => ws.DetachAsync(ct).AsTask(), ct).Unwrap();
                }
                """);
        }

        [Fact]
        public async Task Fix_keeps_field_and_this_qualified_receivers()
        {
            await VerifyAsync(
                """
                class Bridge
                {
                    private readonly HandoffWebSocket _ws;
                    private readonly HandoffWebSocket ws;

                    Bridge(HandoffWebSocket a, HandoffWebSocket b) { _ws = a; ws = b; }

                    async Task<Stream> FieldAsync(byte[] bye, CancellationToken ct)
                    {
                        await {|WSH006:_ws.SendAsync(new ArraySegment<byte>(bye), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken: ct)|};
                        return await _ws.DetachAsync(ct);
                    }

                    async Task<Stream> ThisAsync(ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        await {|WSH006:this.ws.SendAsync(bye, WebSocketMessageType.Text, true, ct)|};
                        using var raw = await this.ws.DetachAsync(ct);
                        return raw;
                    }
                }
                """,
                """
                class Bridge
                {
                    private readonly HandoffWebSocket _ws;
                    private readonly HandoffWebSocket ws;

                    Bridge(HandoffWebSocket a, HandoffWebSocket b) { _ws = a; ws = b; }

                    async Task<Stream> FieldAsync(byte[] bye, CancellationToken ct)
                    {
                        return await _ws.SendAndDetachAsync(new ArraySegment<byte>(bye), WebSocketMessageType.Binary, ct);
                    }

                    async Task<Stream> ThisAsync(ReadOnlyMemory<byte> bye, CancellationToken ct)
                    {
                        using var raw = await this.ws.SendAndDetachAsync(bye, WebSocketMessageType.Text, ct);
                        return raw;
                    }
                }
                """);
        }

        [Fact]
        public async Task Fix_all_merges_statement_and_stored_task_shapes_and_leaves_the_unfixable_one()
        {
            var test = new FixTest<UseSendAndDetachCodeFixProvider>(analyzers: Analyzers)
            {
                TestCode = Usings + """
                    class Server
                    {
                        async Task<Stream> StatementAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                        {
                            await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|}.ConfigureAwait(false);
                            return await ws.DetachAsync(ct);
                        }

                        async Task<Stream> StoredAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct)
                        {
                            var t = {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Text, true, ct)|};
                            await t;
                            return await ws.DetachAsync(ct);
                        }

                        async Task<Stream> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool last, CancellationToken ct)
                        {
                            if (last)
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return await ws.DetachAsync(ct);
                        }
                    }
                    """,
                FixedCode = Usings + """
                    class Server
                    {
                        async Task<Stream> StatementAsync(HandoffWebSocket ws, ArraySegment<byte> bye, CancellationToken ct)
                        {
                            return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Binary, ct);
                        }

                        async Task<Stream> StoredAsync(HandoffWebSocket ws, ReadOnlyMemory<byte> bye, CancellationToken ct)
                        {
                            return await ws.SendAndDetachAsync(bye, WebSocketMessageType.Text, ct);
                        }

                        async Task<Stream> BranchAsync(HandoffWebSocket ws, ArraySegment<byte> bye, bool last, CancellationToken ct)
                        {
                            if (last)
                                await {|WSH006:ws.SendAsync(bye, WebSocketMessageType.Binary, true, ct)|};
                            return await ws.DetachAsync(ct);
                        }
                    }
                    """,
            };
            test.FixedState.MarkupHandling = Microsoft.CodeAnalysis.Testing.MarkupMode.Allow;
            await test.RunAsync();
        }
    }
}
