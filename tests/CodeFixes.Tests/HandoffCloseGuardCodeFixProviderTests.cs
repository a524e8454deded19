using System.Threading.Tasks;
using WebSocketHandoff.CodeFixes.Fixers;
using WebSocketHandoff.CodeFixes.Tests.Infrastructure;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>
    /// The closes of a handoff plan in every shape the contract allows (<see cref="ContractStubAnalyzer"/> lists every close
    /// after the first raw use's statement, lambdas and local functions included): dropped after the detach on every path,
    /// guarded by IsDetached elsewhere, or no fix at all. Every fixed source is compiled by the test framework.
    /// </summary>
    public class HandoffCloseGuardCodeFixProviderTests
    {
        [Fact]
        public async Task Closes_in_lambdas_are_guarded_when_the_detach_is_conditional_and_an_Action_lambda_gets_a_block_body()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            }

                            Func<Task> close = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            Action fireAndForget = () => {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            Func<Task> awaited = async () => await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|}.ConfigureAwait(false);
                            await close();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                var raw = await ws.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }

                            Func<Task> close = () => ws.IsDetached ? Task.CompletedTask : ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            Action fireAndForget = () => { if (!ws.IsDetached) ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct); };
                            Func<Task> awaited = async () => await (ws.IsDetached ? Task.CompletedTask : ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)).ConfigureAwait(false);
                            await close();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_lambda_created_after_the_detach_drops_its_close_and_a_local_function_callable_before_it_keeps_a_guarded_one()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            WebSocket ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            Func<Task> close = () => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            await close();

                            async Task CloseLaterAsync()
                            {
                                await {|WSH002:ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            }
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                        {
                            HandoffWebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            var raw = await ws.DetachAsync(ct);
                            await raw.WriteAsync(buffer, ct);
                            Func<Task> close = () => Task.CompletedTask;
                            await close();

                            async Task CloseLaterAsync()
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_guarded_close_that_is_the_then_branch_of_an_if_with_an_else_gets_braces()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, bool done, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                {|WSH001:stream.Flush()|};
                            }

                            if (done) await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            else Console.WriteLine("open");
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, bool done, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                var raw = await ws.DetachAsync(ct);
                                raw.Flush();
                            }

                            if (done)
                            {
                                if (!ws.IsDetached)
                                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            }
                            else Console.WriteLine("open");
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task A_var_local_assigned_another_WebSocket_keeps_its_type_and_is_guarded_with_the_pattern()
        {
            await new FixTest<UseHandoffWebSocketCodeFixProvider>
            {
                TestCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                await {|WSH001:stream.WriteAsync(buffer, ct)|};
                            }

                            await {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            ws = new ClientWebSocket();
                        }
                    }
                    """,
                FixedCode = """
                    using System;
                    using System.IO;
                    using System.Net.WebSockets;
                    using System.Threading;
                    using System.Threading.Tasks;
                    using WebSocketHandoff;

                    class Bridge
                    {
                        async Task RunAsync(Stream stream, byte[] buffer, bool upgrade, CancellationToken ct)
                        {
                            // stub: detach at the innermost statement
                            WebSocket ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                            if (upgrade)
                            {
                                var raw = await ((HandoffWebSocket)ws).DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                            }

                            if (ws is not HandoffWebSocket { IsDetached: true })
                                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            ws = new ClientWebSocket();
                        }
                    }
                    """,
            }.RunAsync();
        }

        [Fact]
        public async Task No_fix_when_a_close_is_the_discarded_body_of_an_expression_bodied_local_function()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class Bridge
                {
                    async Task RunAsync(Stream stream, byte[] buffer, CancellationToken ct)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        await {|WSH001:stream.WriteAsync(buffer, ct)|};
                        void Close() => {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        Close();
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider> { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task No_fix_when_a_label_after_the_detach_point_lets_a_goto_skip_the_detach()
        {
            const string source = """
                using System;
                using System.IO;
                using System.Net.WebSockets;

                class Bridge
                {
                    void Run(Stream stream, byte[] buffer, bool skip)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        if (skip) goto write;
                        {|WSH001:stream.Flush()|};
                    write:
                        {|WSH001:stream.Write(buffer, 0, buffer.Length)|};
                    }
                }
                """;
            await new FixTest<UseHandoffWebSocketCodeFixProvider> { TestCode = source, FixedCode = source }.RunAsync();
        }

        [Fact]
        public async Task Fix_all_guards_and_drops_the_closes_of_two_creations_in_one_method_and_of_another_document()
        {
            var test = new FixTest<UseHandoffWebSocketCodeFixProvider>();
            test.TestState.Sources.Add(("A.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;

                class A
                {
                    async Task RunAsync(Stream left, Stream right, byte[] buffer, bool upgrade, CancellationToken ct)
                    {
                        // stub: detach at the innermost statement
                        var one = WebSocket.CreateFromStream(left, true, null, TimeSpan.Zero);
                        var two = WebSocket.CreateFromStream(right, true, null, TimeSpan.Zero);
                        try
                        {
                            if (upgrade)
                            {
                                await {|WSH001:left.WriteAsync(buffer, ct)|};
                                await {|WSH001:right.WriteAsync(buffer, ct)|};
                            }
                        }
                        finally
                        {
                            await {|WSH002:one.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                            _ = {|WSH002:two.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct)|};
                        }
                    }
                }
                """));
            test.TestState.Sources.Add(("B.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;

                class B
                {
                    Task Run(Stream stream, byte[] buffer)
                    {
                        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        {|WSH001:stream.Write(buffer, 0, buffer.Length)|};
                        return {|WSH002:ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default)|};
                    }
                }
                """));
            test.FixedState.Sources.Add(("A.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class A
                {
                    async Task RunAsync(Stream left, Stream right, byte[] buffer, bool upgrade, CancellationToken ct)
                    {
                        // stub: detach at the innermost statement
                        var one = HandoffWebSocket.CreateFromStream(left, true, null, TimeSpan.Zero);
                        var two = HandoffWebSocket.CreateFromStream(right, true, null, TimeSpan.Zero);
                        try
                        {
                            if (upgrade)
                            {
                                var raw = await one.DetachAsync(ct);
                                await raw.WriteAsync(buffer, ct);
                                var raw1 = await two.DetachAsync(ct);
                                await raw1.WriteAsync(buffer, ct);
                            }
                        }
                        finally
                        {
                            if (!one.IsDetached)
                                await one.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                            if (!two.IsDetached)
                                _ = two.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                        }
                    }
                }
                """));
            test.FixedState.Sources.Add(("B.cs", """
                using System;
                using System.IO;
                using System.Net.WebSockets;
                using System.Threading.Tasks;
                using WebSocketHandoff;

                class B
                {
                    Task Run(Stream stream, byte[] buffer)
                    {
                        var ws = HandoffWebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
                        var raw = ws.Detach();
                        raw.Write(buffer, 0, buffer.Length);
                        return Task.CompletedTask;
                    }
                }
                """));
            test.NumberOfIncrementalIterations = 3;
            test.NumberOfFixAllIterations = 1;
            test.NumberOfFixAllInDocumentIterations = 2;
            await test.RunAsync();
        }
    }
}
