//! Reading a whole network: folding, search, the heaviest layers, the detail pane, the
//! counterpart's rows and another input shape, through the keys a user presses.

use convtui::model::{NodePath, Shape, Target};
use convtui::tui::app::Mode;
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, press, screen, select, type_keys};

fn selected_name(app: &convtui::tui::app::App) -> Option<String> {
    let path = app.selected_target()?.node_path().clone();
    app.block().node(&path)?.name().map(str::to_string)
}

#[test]
fn space_folds_a_residual_and_its_row_shows_the_subtree() {
    let mut app = app("resnet50");
    let all = app.outline().len();
    select(&mut app, "layer1.0.conv2");
    press(&mut app, key(KeyCode::Char(' ')));
    // The selection moves up to the residual it was in, now one row.
    assert_eq!(selected_name(&app).as_deref(), Some("layer1.0"));
    assert!(app.is_folded(&NodePath(vec![4])));
    assert!(app.outline().len() < all);
    let text = screen(&mut app, 160, 40);
    assert!(text.contains("▸ residual \"layer1.0\""), "{text}");
    // conv1 4,096 + bn 128 + conv2 36,864 + bn 128 + conv3 16,384 + bn 512 + 16,384 + 512.
    assert!(text.contains("75,008"), "{text}");
    press(&mut app, key(KeyCode::Char(' ')));
    assert_eq!(app.outline().len(), all);
}

#[test]
fn fold_all_leaves_the_stem_the_blocks_and_the_head() {
    let mut app = app("resnet152");
    press(&mut app, key(KeyCode::Char('z')));
    // conv1 bn1 relu maxpool, 50 residuals each with its relu, avgpool flatten fc.
    assert_eq!(app.outline().len(), 4 + 50 * 2 + 3);
    press(&mut app, key(KeyCode::Char('Z')));
    assert_eq!(app.outline().len(), app.full_outline().len());
}

#[test]
fn search_finds_inside_folds_and_n_goes_on() {
    let mut app = app("resnet152");
    press(&mut app, key(KeyCode::Char('z')));
    press(&mut app, key(KeyCode::Char('/')));
    type_keys(&mut app, "layer3.20.CONV2");
    assert_eq!(selected_name(&app).as_deref(), Some("layer3.20.conv2"));
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    // The fold that hid it opened; the others stay.
    assert!(app.outline().len() < app.full_outline().len());
    press(&mut app, key(KeyCode::Char('/')));
    type_keys(&mut app, "downsample.0");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        selected_name(&app).as_deref(),
        Some("layer4.0.downsample.0")
    );
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(
        selected_name(&app).as_deref(),
        Some("layer1.0.downsample.0")
    );
    press(&mut app, key(KeyCode::Char('N')));
    assert_eq!(
        selected_name(&app).as_deref(),
        Some("layer4.0.downsample.0")
    );
}

#[test]
fn esc_ends_a_search_where_it_started() {
    let mut app = app("googlenet");
    select(&mut app, "conv2/3x3");
    press(&mut app, key(KeyCode::Char('/')));
    type_keys(&mut app, "inception_5b/pool");
    assert_eq!(selected_name(&app).as_deref(), Some("inception_5b/pool"));
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(selected_name(&app).as_deref(), Some("conv2/3x3"));
}

#[test]
fn a_search_that_finds_nothing_says_so() {
    let mut app = app("googlenet");
    press(&mut app, key(KeyCode::Char('/')));
    type_keys(&mut app, "nosuchlayer");
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("No layer named like")
    );
}

#[test]
fn heaviest_lists_by_macs_then_params_and_enter_goes_there() {
    let mut app = app("vgg16");
    press(&mut app, key(KeyCode::Char('w')));
    let by_macs = app.heaviest(convtui::tui::app::Weight::Macs);
    assert!(by_macs.windows(2).all(|w| w[0].macs >= w[1].macs));
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("Heaviest layers by MACs"), "{text}");
    press(&mut app, key(KeyCode::Tab));
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("Heaviest layers by params"), "{text}");
    // VGG-16's heaviest by parameters: classifier.0, 25,088 → 4,096.
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(selected_name(&app).as_deref(), Some("classifier.0"));
}

#[test]
fn the_detail_pane_fills_in_the_formula() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Char('i')));
    let text = screen(&mut app, 140, 45);
    assert!(text.contains("3·3·96·128 = 110,592 weights"), "{text}");
    assert!(text.contains("× 28·28 = 86,704,128 MACs"), "{text}");
    assert!(text.contains("receptive field 3×3"), "{text}");
    // Without its reduce, the 3×3 reads the block's 192 channels.
    assert!(text.contains("rewritten to 28×28×192"), "{text}");
}

#[test]
fn the_detail_pane_says_why_a_squeeze_stays() {
    let mut app = app("squeezenet1_0");
    // features.3.squeeze follows a pool and goes (project); the next one follows a concat.
    select(&mut app, "features.4.squeeze");
    press(&mut app, key(KeyCode::Char('i')));
    let text = screen(&mut app, 140, 45);
    assert!(text.contains("feeds a concat"), "{text}");
    assert!(!text.contains("no conv after it"), "{text}");
}

#[test]
fn c_shows_the_counterpart_rows_and_marks_what_changed() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('c')));
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("WITHOUT 1×1"), "{text}");
    let reduce = text.lines().find(|l| l.contains("3x3 reduce")).unwrap();
    assert!(reduce.contains("dropped"), "{text}");
    assert!(text.contains("Totals without 1×1"), "{text}");
    assert!(text.contains("params   387,296"), "{text}");
    assert!(text.contains("3x3 ✎"), "{text}");
    press(&mut app, key(KeyCode::Char('c')));
    let text = screen(&mut app, 140, 40);
    assert!(!text.contains("WITHOUT 1×1"), "{text}");
}

#[test]
fn input_shape_is_an_edit_that_undo_takes_back() {
    let mut app = app("resnet152");
    let before = app.summary().unwrap().block.totals.macs;
    press(&mut app, key(KeyCode::Char('I')));
    press(&mut app, convtui_ctrl('u'));
    type_keys(&mut app, "3,112,112");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.block().input, Shape::new(3, 112, 112));
    let after = app.summary().unwrap().block.totals.macs;
    assert!(after < before / 3, "{after} vs {before}");
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block().input, Shape::new(3, 224, 224));
    // A bad shape stays in the prompt with a message.
    press(&mut app, key(KeyCode::Char('I')));
    press(&mut app, convtui_ctrl('u'));
    type_keys(&mut app, "3,0,7");
    press(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.mode, Mode::Prompt { .. }));
    assert!(app.message.as_ref().unwrap().text.contains("at least 1"));
}

#[test]
fn folds_survive_an_edit_elsewhere() {
    let mut app = app("resnet50");
    select(&mut app, "layer1.0");
    press(&mut app, key(KeyCode::Char(' ')));
    select(&mut app, "fc");
    press(&mut app, key(KeyCode::Char('+')));
    assert!(app.is_folded(&NodePath(vec![4])));
    assert_eq!(
        app.selected_target(),
        Some(&Target::Node(NodePath(vec![app.block().body.len() - 1])))
    );
}

fn convtui_ctrl(c: char) -> ratatui::crossterm::event::KeyEvent {
    crate::support::ctrl(c)
}

#[test]
fn capital_c_compares_with_another_model_and_an_empty_line_goes_back() {
    let mut app = app("googlenet");
    press(&mut app, key(KeyCode::Char('C')));
    let commands = type_keys(&mut app, "alexnet");
    assert!(commands.is_empty());
    let commands = press(&mut app, key(KeyCode::Enter));
    assert!(commands.is_empty(), "a preset needs no file");
    assert_eq!(app.mode, Mode::Normal);
    let other = app.compare_with.as_ref().unwrap();
    assert_eq!(other.totals.params(), 61_100_840);
    let text = screen(&mut app, 140, 45);
    assert!(text.contains("vs. alexnet"), "{text}");
    assert!(text.contains("6,998,552 vs 61,100,840"), "{text}");
    // A file goes to the event loop, which reads it.
    press(&mut app, key(KeyCode::Char('C')));
    let commands = type_keys(&mut app, "/no/such.json");
    assert!(commands.is_empty());
    let commands = press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        commands,
        [convtui::tui::action::Command::LoadCompare(
            "/no/such.json".into()
        )]
    );
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('C')));
    press(&mut app, key(KeyCode::Enter));
    assert!(app.compare_with.is_none());
}
