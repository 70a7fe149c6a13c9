import { itemsToImport, lsAnnotatorId } from './sync-plan';

describe('itemsToImport', () => {
  it('sends only the due items Label Studio does not have yet', () => {
    const due = [{ item_id: 'a' }, { item_id: 'b' }, { item_id: 'c' }];
    const lsTasks = [
      { id: 1, data: { item_id: 'b' } },
      { id: 2, data: { text: 'a task made in Label Studio, no item id' } },
      { id: 3, data: { item_id: 42 as unknown as string } },
    ];
    expect(itemsToImport(due, lsTasks)).toEqual([{ item_id: 'a' }, { item_id: 'c' }]);
  });

  it('sends nothing when every due item is there already, and everything into an empty project', () => {
    expect(itemsToImport([{ item_id: 'a' }], [{ id: 1, data: { item_id: 'a' } }])).toEqual([]);
    expect(itemsToImport([{ item_id: 'a' }], [])).toEqual([{ item_id: 'a' }]);
  });
});

describe('lsAnnotatorId', () => {
  it('names the Label Studio user by id, whether the export gives an id or a user object', () => {
    expect(lsAnnotatorId({ completed_by: 7 })).toBe('label-studio:7');
    expect(lsAnnotatorId({ completed_by: { id: 7, email: 'a@example.com' } })).toBe('label-studio:7');
    expect(lsAnnotatorId({ completed_by: null })).toBe('label-studio:unknown');
  });
});
